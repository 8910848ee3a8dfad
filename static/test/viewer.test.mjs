// Browser test of the viewer against the real server binary and Debian's chromium.
//
// Run from the repo root after building (make, or sh static/build.sh && go build -o bin/frontline ./cmd/frontline):
//   node --test static/test/*.test.mjs
// Environment: FRONTLINE_BIN (default bin/frontline), CHROMIUM (default /usr/bin/chromium).
// Screenshots go to test-artifacts/ at the repo root. The first test prints the page
// weight (bytes transferred) and the time to the first tiles of a cold start.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { importControl, startOtherOrigin, startServer, tileOf, writePMTiles } from './helpers.mjs';
import { fillTemplate } from '../state.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = resolve(repoRoot, process.env.FRONTLINE_BIN || 'bin/frontline');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = join(repoRoot, 'test-artifacts');
const deepstateFile = resolve(repoRoot, '../shared/data/deepstate/deepstatemap_data_20250801.geojson');
const hasDeepstate = existsSync(deepstateFile);

const SHIPPED_DATE = '2025-08-15';
const FIXTURE_DATE = '2025-07-01';
const FIXTURE_SOURCE = 'Test fixture line';
// A synthetic, non-approximate line for an earlier date: a box over the Donbas.
const FIXTURE = {
  type: 'Feature', properties: {},
  geometry: { type: 'Polygon', coordinates: [[[37.2, 47.0], [40.2, 47.0], [40.2, 49.6], [37.2, 49.6], [37.2, 47.0]]] },
};

let server;
let other;
let browser;
let workDir;
const pages = new Map();

/** Opens a page that records console errors, page errors and failed requests. */
// The server sends its Content-Security-Policy with every page (security.go), so a
// violation shows here as a console error.
async function openPage({ viewport = { width: 1280, height: 800 }, dpr = 1 } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: dpr });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  // Leaflet cancels the tiles of a layer it removes (a new date or scenario): ERR_ABORTED is expected.
  page.on('requestfailed', (req) => {
    if (req.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  return { page, context, problems, close: () => context.close() };
}

/**
 * Waits until predicate(arg) holds in the page (when given), then until the viewer is
 * ready and every visible tile has loaded. Layers change in the same task as the state,
 * so a predicate on the state sees the new tiles already loading.
 */
async function settled(page, predicate = null, arg = null) {
  if (predicate) await page.waitForFunction(predicate, arg, { timeout: 60_000 });
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state) &&
    document.getElementById('maps').dataset.tiles === 'loaded', null, { timeout: 60_000 });
  const state = await page.getAttribute('body', 'data-state');
  assert.equal(state, 'ready', `viewer not ready: ${await page.textContent('#error-text')}`);
}

async function loadViewer(page, path = '') {
  await page.goto(server.url + path);
  await settled(page);
}

/** Loaded tiles of one layer: [{src, w, h}]. */
const tilesOf = (page, cls) => page.$$eval(`.${cls} img.leaflet-tile-loaded`,
  (imgs) => imgs.map((i) => ({ src: i.src, w: i.naturalWidth, h: i.naturalHeight })));

/** The largest number of vermillion pixels (the Russian-held fill and hatches) in one loaded tile of a layer. */
const vermillionPixels = (page, cls, frame = page) => frame.evaluate((sel) => {
  let best = 0;
  for (const img of document.querySelectorAll(sel)) {
    if (!img.naturalWidth) continue; // an empty PMTiles tile is a hidden image without a source
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] > d[i + 2] + 60) n++;
    best = Math.max(best, n);
  }
  return best;
}, `.${cls} img.leaflet-tile-loaded`);

/**
 * WCAG 2 contrast of the text of every visible element matching selectors against its
 * background (the first opaque-ish ancestor background, composited over white).
 * Returns [{selector, text, ratio}] below min.
 */
const lowContrast = (page, selectors, min = 4.5) => page.evaluate(([sels, minRatio]) => {
  const rgba = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[,\s/]+/).filter(Boolean).map(Number);
    return [r, g, b, a];
  };
  const over = (fg, bg) => fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
  const lum = (c) => {
    const [r, g, b] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) layers.push(c);
      if (c && c[3] === 1) break;
    }
    return layers.reverse().reduce((acc, c) => over(c, acc), [255, 255, 255]);
  };
  const bad = [];
  for (const sel of sels) {
    for (const el of document.querySelectorAll(sel)) {
      if (!el.checkVisibility() || !el.textContent.trim()) continue;
      const bg = background(el);
      const fg = over(rgba(getComputedStyle(el).color), bg);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < minRatio) bad.push({ selector: sel, text: el.textContent.trim().slice(0, 40), ratio: Number(ratio.toFixed(2)) });
    }
  }
  return bad;
}, [selectors, min]);

const TEXT = ['h1', '.dek', '.eyebrow', 'label', '#date-label', '.badge', '.source', '.note', '.range-ends span', '.legend-text',
  '.figure', '.muted', '.scenario p', '.citations li', '.side-label span', '.changed-row span', 'summary', 'th', 'td',
  '.leaflet-control-attribution', '.button', 'select', 'a'];

/** Legend figures shown: {key: value with one decimal}. */
const legendFigures = (page) => page.$$eval('#legend-list [data-figure]',
  (els) => Object.fromEntries(els.map((e) => [e.dataset.figure, e.dataset.value])));

const api = async (path) => {
  const res = await fetch(server.url + path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
};
const km = (v) => v.toFixed(1);

describe('viewer', () => {
  before(async () => {
    assert.ok(existsSync(bin), `server binary ${bin} is missing: build it (go build -o bin/frontline ./cmd/frontline) or set FRONTLINE_BIN`);
    assert.ok(existsSync(chromiumPath), `chromium ${chromiumPath} is missing: apt-get install chromium, or set CHROMIUM`);
    mkdirSync(artifacts, { recursive: true });
    workDir = mkdtempSync(join(tmpdir(), 'frontline-viewer-'));
    const db = join(workDir, 'frontline.db');
    const fixture = join(workDir, 'fixture.geojson');
    writeFileSync(fixture, JSON.stringify(FIXTURE));
    // Any command creates a missing database and fills it with the embedded defaults.
    await importControl(bin, db, fixture, FIXTURE_DATE, FIXTURE_SOURCE, repoRoot);
    if (hasDeepstate) await importControl(bin, db, deepstateFile, '2025-08-01', 'DeepStateMap', repoRoot);
    server = await startServer(bin, db, repoRoot);

    // The other origin: the viewer files as they would sit on object storage, and parent pages.
    const site = join(workDir, 'site');
    mkdirSync(join(site, 'archives'), { recursive: true });
    for (const f of ['index.html', 'app.js', 'state.js', 'app.css', 'favicon.svg']) cpSync(join(repoRoot, 'static', f), join(site, f));
    cpSync(join(repoRoot, 'static/vendor'), join(site, 'vendor'), { recursive: true });
    other = await startOtherOrigin(site, pages, `default-src 'self'; frame-src ${server.url}`);

    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await other?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('index.html has no inline scripts or styles (CSP default-src self)', () => {
    const html = readFileSync(join(repoRoot, 'static/index.html'), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'inline <script>');
    assert.doesNotMatch(html, /<style\b/i, '<style> element');
    assert.doesNotMatch(html, /\sstyle\s*=/i, 'style attribute');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'inline event handler');
  });

  test('page weight and time to first tiles, cold and warm server', { timeout: 180_000 }, async () => {
    // Each run in a fresh browser context (empty browser cache), without route
    // interception so that the browser's own byte counts are kept. The first run meets a
    // server that has derived and rendered nothing yet; the second one a warm server.
    for (const run of ['cold', 'warm']) {
      const { page, context, problems, close } = await openPage();
      try {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        let bytes = 0;
        let requests = 0;
        const types = new Map();
        const byType = {};
        cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
        cdp.on('Network.loadingFinished', (e) => {
          bytes += e.encodedDataLength;
          requests++;
          const t = types.get(e.requestId) ?? 'Other';
          byType[t] = (byType[t] ?? 0) + e.encodedDataLength;
        });
        await loadViewer(page);
        const marks = await page.evaluate(() => ({
          first: performance.getEntriesByName('fl-first-tile')[0]?.startTime,
          all: performance.getEntriesByName('fl-tiles-loaded')[0]?.startTime,
          dcl: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd,
        }));
        assert.ok(marks.first > 0 && marks.all >= marks.first, `tile marks recorded: ${JSON.stringify(marks)}`);
        assert.ok(bytes > 10_000, `bytes counted: ${bytes}`);
        console.log(`# ${run} server: page weight ${(bytes / 1024).toFixed(1)} KiB in ${requests} requests (1280x800, dpr 1); ` +
          `DOMContentLoaded ${marks.dcl.toFixed(0)} ms, first tile ${marks.first.toFixed(0)} ms, all visible tiles ${marks.all.toFixed(0)} ms; ` +
          Object.entries(byType).map(([t, b]) => `${t} ${(b / 1024).toFixed(1)} KiB`).join(', '));
        assert.deepEqual(problems, []);
      } finally {
        await close();
      }
    }
  });

  test('desktop @2x: retina tiles from TileJSON, drawn; badge, legend and attribution', { timeout: 90_000 }, async () => {
    const { page, problems, close } = await openPage({ dpr: 2 });
    try {
      await loadViewer(page);
      const base = await tilesOf(page, 'fl-base');
      const overlay = await tilesOf(page, 'fl-overlay');
      assert.ok(base.length >= 4, `base tiles loaded: ${base.length}`);
      assert.ok(overlay.length >= 4, `overlay tiles loaded: ${overlay.length}`);
      const tj = await api(`tiles/control.json?format=png&date=${SHIPPED_DATE}`);
      const prefix = tj.tiles[0].slice(0, tj.tiles[0].indexOf('{z}')).replace('localhost', '127.0.0.1');
      for (const t of overlay) {
        assert.ok(t.src.startsWith(prefix), `${t.src} comes from the TileJSON template ${tj.tiles[0]}`);
        assert.match(t.src, /\/\d+\/\d+\/\d+@2x\.png$/, 'retina tile');
        assert.deepEqual([t.w, t.h], [512, 512], `${t.src} is 512 px`);
      }
      assert.ok(await vermillionPixels(page, 'fl-overlay') > 5000, 'Russian-held area drawn in the overlay tiles');

      // The shipped line is approximate: the badge must show; the source is credited.
      assert.ok(await page.isVisible('#approx-badge'), 'Approximate badge visible');
      assert.equal((await page.textContent('#date-label')).trim(), '15 August 2025');
      const attribution = await page.textContent('.leaflet-control-attribution');
      assert.match(attribution, /Natural Earth/);
      assert.ok(attribution.includes(tj.source), `line source in the attribution: ${attribution}`);
      assert.equal(attribution.split('Natural Earth').length, 2, `boundaries credited once: ${attribution}`);
      const dates = await api('api/dates');
      assert.equal(await page.getAttribute('#date-slider', 'max'), String(dates.dates.length - 1), 'slider spans the dates');

      // Legend: the occupied area for the line of control, as the API measures it.
      const change = await api(`api/change?from=${SHIPPED_DATE}&to=${SHIPPED_DATE}`);
      assert.deepEqual(await legendFigures(page), { control: km(change.total.occupied_to_km2) });
      assert.match(await page.textContent('#legend-list'), /Russian-held area\s*[\d,]+ km²/);

      // Per-oblast figures on demand.
      assert.equal(await page.isVisible('#oblast-table'), false);
      await page.click('#oblast-details summary');
      await page.waitForURL(/[?&]oblasts=1/);
      const donetsk = change.oblasts.find((o) => o.iso === 'UA-14');
      assert.equal((await page.textContent('#oblast-table tr[data-iso="UA-14"] td')).trim(), Math.round(donetsk.occupied_to_km2).toLocaleString('en-GB'));

      for (const name of ['Previous date', 'Next date', 'Date', 'Scenario', 'Base map']) {
        assert.equal(await page.getByLabel(name, { exact: true }).count(), 1, `control labelled ${name}`);
      }
      assert.deepEqual(await lowContrast(page, TEXT), [], 'text contrast at least 4.5:1');
      await page.screenshot({ path: join(artifacts, 'viewer-desktop@2x.png') });
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('switching scenario and date changes the tiles and the legend numbers (keyboard)', { timeout: 150_000 }, async () => {
    const { page, problems, close } = await openPage();
    try {
      await loadViewer(page);
      const before = await tilesOf(page, 'fl-overlay');

      // Scenario, chosen with the keyboard.
      await page.focus('#scenario-select');
      await page.selectOption('#scenario-select', 'alaska-2025');
      await settled(page, () => document.getElementById('maps').dataset.overlay.includes('/scenario-alaska-2025/'));
      const after = await tilesOf(page, 'fl-overlay');
      assert.ok(after.length > 0 && after.every((t) => t.src.includes(`/tiles/scenario-alaska-2025/${SHIPPED_DATE}.`)), 'scenario tiles');
      assert.ok(before.length > 0 && before.every((t) => t.src.includes('/tiles/control/')), 'control tiles before');
      const fig = await api(`api/scenarios/alaska-2025?date=${SHIPPED_DATE}`);
      assert.deepEqual(await legendFigures(page), {
        russia: km(fig.total.russia_after_km2), to_russia: km(fig.total.to_russia_km2), to_ukraine: km(fig.total.to_ukraine_km2),
      });
      assert.match(page.url(), /[?&]scenario=alaska-2025(&|#)/);
      assert.equal((await page.textContent('#scenario-title')).trim(), fig.scenario.title);
      assert.match(await page.textContent('#scenario-sources'), /Reuters/);
      await page.screenshot({ path: join(artifacts, 'viewer-scenario.png') });

      // Date: slider focused, Home goes to the earliest (the fixture line).
      await page.focus('#date-slider');
      await page.keyboard.press('Home');
      await settled(page, (d) => document.getElementById('maps').dataset.overlay.includes(`/scenario-alaska-2025/${d}.`), FIXTURE_DATE);
      const older = await tilesOf(page, 'fl-overlay');
      assert.ok(older.length > 0 && older.every((t) => t.src.includes(`/${FIXTURE_DATE}.`)), 'tiles of the older date');
      const figOld = await api(`api/scenarios/alaska-2025?date=${FIXTURE_DATE}`);
      const shown = await legendFigures(page);
      assert.equal(shown.to_russia, km(figOld.total.to_russia_km2));
      assert.notEqual(shown.to_russia, km(fig.total.to_russia_km2), 'legend numbers changed with the date');
      assert.equal(await page.isVisible('#approx-badge'), false, 'badge hidden for a non-approximate line');
      assert.equal((await page.textContent('#source-text')).trim(), FIXTURE_SOURCE);
      assert.match(await page.textContent('.leaflet-control-attribution'), new RegExp(FIXTURE_SOURCE));
      assert.match(page.url(), new RegExp(`[?&]date=${FIXTURE_DATE}(&|#)`));

      // The change layer: gains and losses since the previous stored date, tiles and figures.
      await page.keyboard.press('End');
      await settled(page, (d) => document.getElementById('maps').dataset.overlay.includes(`/${d}.`), SHIPPED_DATE);
      const dates = (await api('api/dates')).dates.map((d) => d.date);
      const prev = dates[dates.indexOf(SHIPPED_DATE) - 1];
      await page.check('#layer-diff');
      await settled(page, () => Boolean(document.querySelector('.fl-diff img.leaflet-tile-loaded')));
      const diffTiles = await tilesOf(page, 'fl-diff');
      assert.ok(diffTiles.every((t) => t.src.includes(`/tiles/diff/${prev}_${SHIPPED_DATE}.r`)), `diff tiles ${prev} to ${SHIPPED_DATE}`);
      const ch = await api(`api/change?from=${prev}&to=${SHIPPED_DATE}`);
      const withDiff = await legendFigures(page);
      assert.equal(withDiff.gained, km(ch.total.gained_km2));
      assert.equal(withDiff.lost, km(ch.total.lost_km2));
      assert.match(page.url(), /[?&]layers=base,overlay,diff(&|#)/);
      await page.uncheck('#layer-diff');
      await settled(page, () => !document.querySelector('.fl-diff'));

      // Layer toggle: the overlay off removes its tiles and its legend entries.
      await page.uncheck('#layer-overlay');
      await settled(page, () => !document.querySelector('.fl-overlay'));
      assert.deepEqual(await legendFigures(page), {});
      assert.match(page.url(), /[?&]layers=base(&|#)/);
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('compare: swipe and twin maps show two labelled sides and what changed', { timeout: 180_000 }, async () => {
    const { page, problems, close } = await openPage();
    try {
      await loadViewer(page, '?scenario=alaska-2025');
      // Swipe: scenario against today's line (the default side B).
      await page.check('input[name="compare"][value="swipe"]');
      await settled(page, () => document.getElementById('maps').dataset.compare === 'swipe' && Boolean(document.querySelector('.fl-overlay-b img.leaflet-tile-loaded')));
      assert.match(page.url(), new RegExp(`[?&]compare=swipe&date2=${SHIPPED_DATE}(&|#)`));
      const labels = await page.$$eval('.side-label:not([hidden])', (ls) => ls.map((l) => l.textContent));
      assert.equal(labels.length, 2, `two labels: ${labels}`);
      const fig = await api(`api/scenarios/alaska-2025?date=${SHIPPED_DATE}`);
      const today = await api(`api/change?from=${SHIPPED_DATE}&to=${SHIPPED_DATE}`);
      assert.match(labels[0], /^A.*Alaska/);
      assert.ok(labels[0].includes(Math.round(fig.total.russia_after_km2).toLocaleString('en-GB')), labels[0]);
      assert.match(labels[1], /^B.*Line of control/);
      assert.ok(labels[1].includes(Math.round(today.total.occupied_to_km2).toLocaleString('en-GB')), labels[1]);
      const clips = await page.evaluate(() => ({
        a: document.querySelector('.fl-overlay').style.clip, b: document.querySelector('.fl-overlay-b').style.clip,
        range: document.querySelector('.leaflet-sbs-range')?.getAttribute('aria-label'),
      }));
      assert.match(clips.a, /^rect\(/, 'side A clipped');
      assert.match(clips.b, /^rect\(/, 'side B clipped');
      assert.match(clips.range, /Swipe divider/);
      const changed = await page.$$eval('#changed [data-key]', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.key, r.querySelector('[data-value]')?.dataset.value])));
      assert.equal(changed.to_russia_a, km(fig.total.to_russia_km2));
      assert.equal(changed.to_ukraine_a, km(fig.total.to_ukraine_km2));
      assert.equal(changed.held_diff, km(Math.abs(today.total.occupied_to_km2 - fig.total.russia_after_km2)));
      // Moving the divider by keyboard moves the clip.
      await page.focus('.leaflet-sbs-range');
      for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
      assert.notEqual(await page.evaluate(() => document.querySelector('.fl-overlay').style.clip), clips.a, 'divider moved');
      await page.screenshot({ path: join(artifacts, 'compare-swipe.png') });

      // Twin maps: line of control on two dates; the gains and losses each way.
      await page.selectOption('#scenario-select', '');
      await page.check('input[name="compare"][value="twin"]');
      await page.selectOption('#date2-select', FIXTURE_DATE);
      await settled(page, (d) => document.getElementById('maps').dataset.compare === 'twin' &&
        (document.getElementById('maps').dataset.overlayB || '').includes(`/control/${d}.`) &&
        Boolean(document.querySelector('#map-b .fl-overlay img.leaflet-tile-loaded')), FIXTURE_DATE);
      const twinLabels = await page.$$eval('.side-label:not([hidden])', (ls) => ls.map((l) => l.textContent));
      assert.equal(twinLabels.length, 2, `two labels: ${twinLabels}`);
      assert.match(twinLabels[0], /^A.*Line of control.*15 Aug 2025/);
      assert.match(twinLabels[1], /^B.*Line of control.*1 Jul 2025/);
      const bTiles = await page.$$eval('#map-b .fl-overlay img.leaflet-tile-loaded', (imgs) => imgs.map((i) => i.src));
      assert.ok(bTiles.length > 0 && bTiles.every((s) => s.includes(`/control/${FIXTURE_DATE}.`)), 'side B draws the other date');
      const ch = await api(`api/change?from=${FIXTURE_DATE}&to=${SHIPPED_DATE}`);
      const changed2 = await page.$$eval('#changed [data-key]', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.key, r.querySelector('[data-value]')?.dataset.value])));
      assert.equal(changed2.gained, km(ch.total.gained_km2));
      assert.equal(changed2.lost, km(ch.total.lost_km2));
      assert.ok(ch.total.gained_km2 > 100 && ch.total.lost_km2 > 100, 'the fixture differs both ways');

      // The maps move together, and the cursor on one shows at the same place on the other.
      const [boxA, boxB] = await page.evaluate(() => ['#map', '#map-b'].map((s) => document.querySelector(s).getBoundingClientRect().toJSON()));
      const hashBefore = new URL(page.url()).hash;
      assert.notEqual(hashBefore, '', 'view in the hash');
      await page.mouse.move(boxA.x + boxA.width * 0.6, boxA.y + boxA.height * 0.6);
      await page.mouse.down();
      await page.mouse.move(boxA.x + boxA.width * 0.4, boxA.y + boxA.height * 0.5, { steps: 5 });
      await page.mouse.up();
      await settled(page);
      await page.waitForFunction((h) => location.hash !== h, hashBefore, { timeout: 10_000 }).catch(() => {});
      assert.notEqual(new URL(page.url()).hash, hashBefore, 'the drag moves the view in the hash');
      await page.mouse.move(boxA.x + boxA.width * 0.3, boxA.y + boxA.height * 0.7);
      const cursor = await page.evaluate(() => document.querySelector('#map-b path.fl-cursor')?.getBoundingClientRect().toJSON());
      assert.ok(cursor, 'synced cursor on map B');
      const cx = cursor.x + cursor.width / 2 - boxB.x;
      const cy = cursor.y + cursor.height / 2 - boxB.y;
      assert.ok(Math.abs(cx - boxB.width * 0.3) < 3 && Math.abs(cy - boxB.height * 0.7) < 3,
        `cursor at (${cx.toFixed(1)}, ${cy.toFixed(1)}) in map B, want (${(boxB.width * 0.3).toFixed(1)}, ${(boxB.height * 0.7).toFixed(1)})`);
      assert.deepEqual(await lowContrast(page, TEXT), [], 'text contrast at least 4.5:1');
      await page.screenshot({ path: join(artifacts, 'compare-twin.png') });

      // Sharing a comparison of two dates adds the static image of the change between them.
      await page.click('#share-open');
      await page.waitForSelector('#share-change-png');
      assert.match(await page.inputValue('#share-change-png'),
        new RegExp(`/static/diff/-?[\\d.]+,-?[\\d.]+,[\\d.]+/\\d+x\\d+@2x\\.png\\?from=${FIXTURE_DATE}&to=${SHIPPED_DATE}$`));
      await page.keyboard.press('Escape');
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('phone 390x844: swipe splits top and bottom; map and controls visible, no horizontal scroll', { timeout: 90_000 }, async () => {
    const viewport = { width: 390, height: 844 };
    const { page, problems, close } = await openPage({ viewport, dpr: 2 });
    try {
      await loadViewer(page, `?scenario=four-oblasts&compare=swipe&date2=${SHIPPED_DATE}`);
      await settled(page, () => document.getElementById('maps').dataset.vertical === 'true' && Boolean(document.querySelector('.leaflet-sbs-vertical')));
      const clip = await page.evaluate(() => document.querySelector('.fl-overlay').style.clip);
      const m = /^rect\((-?[\d.]+)px,\s*(-?[\d.]+)px,\s*(-?[\d.]+)px,\s*(-?[\d.]+)px\)$/.exec(clip);
      assert.ok(m, `clip of side A: ${clip}`);
      const mapBox = await page.locator('#map').boundingBox();
      assert.ok(Math.abs((Number(m[3]) - Number(m[1])) - mapBox.height / 2) < 30, `side A is the top half: ${clip}, map ${mapBox.height}px`);
      assert.ok(Number(m[2]) - Number(m[4]) >= mapBox.width - 1, `side A spans the width: ${clip}`);
      await page.screenshot({ path: join(artifacts, 'phone-swipe.png') });

      // Twin maps stack on a phone: B below A, both full width, each with its label.
      await loadViewer(page, `?scenario=four-oblasts&compare=twin&date2=${SHIPPED_DATE}`);
      await settled(page, () => Boolean(document.querySelector('#map-b .fl-overlay img.leaflet-tile-loaded')));
      const [a, b] = await Promise.all(['#map', '#map-b'].map((s) => page.locator(s).boundingBox()));
      assert.ok(b.y >= a.y + a.height - 0.5 && Math.abs(a.width - b.width) < 1 && a.width >= viewport.width - 1,
        `stacked: A ${JSON.stringify(a)}, B ${JSON.stringify(b)}`);
      assert.ok(a.height >= 150 && b.height >= 150, 'both halves usable');
      assert.equal(await page.locator('.side-label:not([hidden])').count(), 2);
      await page.screenshot({ path: join(artifacts, 'phone-twin.png') });

      await loadViewer(page, '');
      const box = async (selector) => {
        assert.ok(await page.isVisible(selector), `${selector} visible`);
        const b = await page.locator(selector).boundingBox();
        assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= viewport.width + 0.5, `${selector} inside the viewport: ${JSON.stringify(b)}`);
        return b;
      };
      const mapB = await box('#map');
      const panel = await box('.panel');
      for (const s of ['#date-slider', '#date-prev', '#date-next', '#date-label', '#approx-badge', '#scenario-select', '#share-open']) await box(s);
      assert.ok(mapB.y + mapB.height <= panel.y + 0.5, `map ${JSON.stringify(mapB)} above the panel ${JSON.stringify(panel)}`);
      assert.ok(mapB.height >= 300, `map tall enough on a phone: ${mapB.height}px`);
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scroll');
      await page.screenshot({ path: join(artifacts, 'phone.png') });
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('permalink restores the same view', { timeout: 120_000 }, async () => {
    const first = await openPage();
    const second = await openPage();
    try {
      const path = `?scenario=four-oblasts&date=${SHIPPED_DATE}&compare=twin&scenario2=alaska-2025&date2=${FIXTURE_DATE}&oblasts=1#7.5/47.8000/37.5000`;
      await loadViewer(first.page, path);
      const view = async (page) => page.evaluate(() => ({
        url: location.href.replace(location.origin, ''),
        scenario: document.getElementById('scenario-select').value,
        scenario2: document.getElementById('scenario2-select').value,
        date2: document.getElementById('date2-select').value,
        slider: document.getElementById('date-slider').value,
        overlay: document.getElementById('maps').dataset.overlay,
        overlayB: document.getElementById('maps').dataset.overlayB,
        oblastsOpen: document.getElementById('oblast-details').open,
        labels: [...document.querySelectorAll('.side-label:not([hidden])')].map((l) => l.textContent),
        legend: [...document.querySelectorAll('#legend-list [data-figure]')].map((f) => f.dataset.value),
      }));
      const a = await view(first.page);
      assert.equal(a.url, `/${path}`, 'state kept in the URL as given');
      assert.equal(a.scenario, 'four-oblasts');
      assert.equal(a.oblastsOpen, true);
      assert.equal(a.labels.length, 2);
      await loadViewer(second.page, a.url.slice(1));
      assert.deepEqual(await view(second.page), a);
      await second.page.screenshot({ path: join(artifacts, 'permalink.png') });
      assert.deepEqual(first.problems, []);
      assert.deepEqual(second.problems, []);
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('share dialog: permalink, iframe code on another origin, tile templates, CSV, static image links', { timeout: 180_000 }, async () => {
    const { page, problems, close } = await openPage();
    try {
      await loadViewer(page, `?scenario=alaska-2025&date=${SHIPPED_DATE}#7/48.0000/36.5000`);
      // Keyboard: Enter on the Share button opens the dialog, Escape closes it.
      await page.focus('#share-open');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#share-csv');
      assert.equal(await page.evaluate(() => document.getElementById('share').open), true);
      await page.keyboard.press('Escape');
      assert.equal(await page.evaluate(() => document.getElementById('share').open), false);
      await page.click('#share-open');
      await page.waitForSelector('#share-csv');
      await page.screenshot({ path: join(artifacts, 'share-dialog.png') });
      const field = (id) => page.inputValue(`#${id}`);
      const permalink = await field('share-permalink');
      assert.equal(permalink, `${server.url}?scenario=alaska-2025&date=${SHIPPED_DATE}#7/48.0000/36.5000`);

      // Static images: the URL contract, not the (separately built) endpoints.
      const styleAt = `${server.url}static/scenario-alaska-2025/36.5000,48.0000,7/`;
      assert.match(await field('share-png'), new RegExp(`^${styleAt.replace(/[.?]/g, '\\$&')}\\d+x\\d+@2x\\.png\\?date=${SHIPPED_DATE}$`));
      assert.match(await field('share-svg'), new RegExp(`^${styleAt.replace(/[.?]/g, '\\$&')}\\d+x\\d+\\.svg\\?date=${SHIPPED_DATE}$`));
      assert.equal(await field('share-social'), `${server.url}static/scenario-alaska-2025/auto/social.png?date=${SHIPPED_DATE}`);

      // Tile templates give tiles; the CSV link gives the figures.
      const { x, y } = tileOf(37.8, 48.0, 7);
      for (const [id, ext, type] of [['share-raster', '@2x.png', 'image/png'], ['share-vector', '.mvt', 'application/vnd.mapbox-vector-tile'], ['share-base', '.png', 'image/png']]) {
        const template = await field(id);
        assert.match(template, /\{z\}\/\{x\}\/\{y\}/, `${id}: ${template}`);
        const url = fillTemplate(template, 7, x, y, ext === '@2x.png');
        const res = await fetch(url);
        assert.equal(res.status, 200, `${id} ${url}`);
        assert.equal(res.headers.get('content-type'), type, `${id} content type`);
        assert.ok((await res.arrayBuffer()).byteLength > 100, `${id} tile has content`);
      }
      const csv = await fetch(await field('share-csv'));
      assert.equal(csv.status, 200);
      assert.match(await csv.text(), /^iso,name,total_km2,occupied_km2,to_russia_km2/);

      // The permalink opens the same view.
      const [opened] = await Promise.all([page.context().waitForEvent('page'), page.click('a[data-for="share-permalink"]')]);
      await settled(opened);
      assert.equal(opened.url(), permalink);
      assert.equal(await opened.getAttribute('#maps', 'data-overlay'), await page.getAttribute('#maps', 'data-overlay'));
      await opened.close();

      // The iframe code, pasted into a page of another origin with a strict CSP.
      const code = await field('share-iframe');
      assert.match(code, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\?scenario=alaska-2025&amp;date=2025-08-15#7\/48\.0000\/36\.5000"/);
      assert.doesNotMatch(code, /\sstyle=/, 'no inline style for strict parent pages');
      pages.set('newsroom.html', `<!doctype html><html><head><meta charset="utf-8"><title>A newsroom article</title></head>
        <body><article><h1>Story</h1><div id="frame-box">${code}</div></article></body></html>`);
      await page.keyboard.press('Escape');
      for (const width of [900, 360]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(`${other.url}page/newsroom.html`);
        const handle = await page.waitForSelector('iframe');
        const frame = await handle.contentFrame();
        await frame.waitForFunction(() => document.body.dataset.state === 'ready' && document.getElementById('maps').dataset.tiles === 'loaded', null, { timeout: 60_000 });
        const inFrame = await frame.evaluate(() => {
          const attr = document.querySelector('.leaflet-control-attribution').getBoundingClientRect();
          return {
            mode: document.body.dataset.mode,
            masthead: getComputedStyle(document.querySelector('.masthead')).display,
            attribution: document.querySelector('.leaflet-control-attribution').textContent,
            attrInside: attr.top >= 0 && attr.bottom <= innerHeight + 0.5 && attr.left >= 0 && attr.right <= innerWidth + 0.5 && attr.height > 0,
            width: innerWidth,
            overlay: document.getElementById('maps').dataset.overlay,
            scroll: document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight,
            full: document.getElementById('open-full').href,
          };
        });
        assert.equal(inFrame.mode, 'embed');
        assert.equal(inFrame.masthead, 'none', 'minimal chrome');
        assert.ok(inFrame.attrInside, `attribution visible in the ${width}px frame`);
        assert.match(inFrame.attribution, /Natural Earth/);
        assert.ok(Math.abs(inFrame.width - (width - 16)) <= 2, `iframe follows its container: ${inFrame.width} in ${width}`);
        assert.match(inFrame.overlay, /\/scenario-alaska-2025\//);
        assert.ok(inFrame.scroll, 'nothing overflows the frame');
        assert.ok(inFrame.full.startsWith(`${server.url}?scenario=alaska-2025&date=${SHIPPED_DATE}#`), `link to the full map: ${inFrame.full}`);
        assert.ok(await vermillionPixels(page, 'fl-overlay', frame) > 1000, 'scenario drawn in the frame');
        await page.screenshot({ path: join(artifacts, `embed-in-other-origin-${width}.png`) });
      }
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('an import while the page is open: the viewer fetches the TileJSON again and draws the new revision', { timeout: 180_000 }, async () => {
    const { page, problems, close } = await openPage();
    try {
      await loadViewer(page);
      const before = await page.getAttribute('#maps', 'data-overlay');
      const rev = Number(/\.r(\d+)\//.exec(before)[1]);
      const max = Number(await page.getAttribute('#date-slider', 'max'));
      // A new line for an earlier date: the data revision goes up, the shown date stays.
      const file = join(workDir, 'later.geojson');
      writeFileSync(file, JSON.stringify({ ...FIXTURE, geometry: { type: 'Polygon', coordinates: [[[36.5, 47.2], [40.2, 47.2], [40.2, 49.8], [36.5, 49.8], [36.5, 47.2]]] } }));
      await importControl(bin, join(workDir, 'frontline.db'), file, '2025-06-01', 'Second fixture line', repoRoot);
      // New tiles of the old revision are 404s now; zooming in asks for some.
      await page.click('.leaflet-control-zoom-in');
      await settled(page, (r) => Number(/\.r(\d+)\//.exec(document.getElementById('maps').dataset.overlay)[1]) > r, rev);
      const after = await page.getAttribute('#maps', 'data-overlay');
      assert.ok(after.includes(`/control/${SHIPPED_DATE}.r`), `same date, new revision: ${before} -> ${after}`);
      assert.equal(await page.getAttribute('#date-slider', 'max'), String(max + 1), 'the new date is on the slider');
      const tiles = await tilesOf(page, 'fl-overlay');
      assert.ok(tiles.length > 0 && tiles.every((t) => t.src.startsWith(after.slice(0, after.indexOf('{z}')))), 'tiles of the new revision');
      // The 404s of the old revision are the only console errors.
      assert.deepEqual(problems.filter((p) => !/status of 404/.test(p)), []);
      assert.ok(problems.length > 0, 'old-revision tiles were refused');
    } finally {
      await close();
    }
  });

  test('static hosting: PMTiles archives on a plain file server, no Frontline API', { timeout: 180_000 }, async () => {
    // Build two archives (base map and line of control) from the server's 1x PNG tiles, z0-7 of the four oblasts.
    const bounds = [31.5, 45.5, 40.5, 50.5];
    for (const [name, id, retina] of [['base', 'base', false], ['control', 'control', false], ['control@2x', 'control', true]]) {
      const tj = await api(`tiles/${id}.json?format=png&date=${SHIPPED_DATE}`);
      const tiles = [];
      for (let z = 0; z <= 7; z++) {
        const a = tileOf(bounds[0], bounds[3], z);
        const b = tileOf(bounds[2], bounds[1], z);
        for (let x = a.x; x <= b.x; x++) {
          for (let y = a.y; y <= b.y; y++) {
            const res = await fetch(fillTemplate(tj.tiles[0], z, x, y, retina));
            assert.equal(res.status, 200);
            tiles.push({ z, x, y, data: Buffer.from(await res.arrayBuffer()) });
          }
        }
      }
      const meta = { name: `Frontline ${id}`, attribution: tj.attribution, date: SHIPPED_DATE, source: tj.source, approximate: tj.approximate };
      writeFileSync(join(workDir, 'site/archives', `${name}.pmtiles`), writePMTiles(tiles, meta, bounds));
    }
    const { page, problems, close } = await openPage();
    try {
      const seen = [];
      page.on('request', (r) => seen.push(r.url()));
      other.requests.length = 0;
      await page.goto(`${other.url}site/index.html?pmtiles=archives/base.pmtiles&pmtiles=archives/control.pmtiles`);
      await settled(page, () => document.querySelectorAll('.fl-pmtiles-1 img').length > 0);
      // The pmtiles adapter reports a tile done when it sets the image source; wait for the pixels.
      await page.waitForFunction(() => [...document.querySelectorAll('.fl-tiles img')]
        .every((i) => i.style.display === 'none' || (i.complete && i.naturalWidth > 0)), null, { timeout: 30_000 });
      const imgs = await page.$$eval('.fl-tiles img', (is) => is.filter((i) => i.style.display !== 'none').map((i) => ({ src: i.src, w: i.naturalWidth })));
      assert.ok(imgs.length >= 8, `tiles drawn: ${imgs.length}`);
      assert.ok(imgs.every((i) => i.src.startsWith('blob:') && i.w === 256), 'tiles come from the archives');
      assert.ok(await vermillionPixels(page, 'fl-pmtiles-1') > 2000, 'line of control drawn from its archive');
      assert.equal(await page.getAttribute('body', 'data-mode'), 'pmtiles');
      assert.ok(await page.isVisible('#approx-badge'), 'approximate flag from the archive metadata');
      assert.equal((await page.textContent('#date-label')).trim(), '15 August 2025');
      assert.match(await page.textContent('.leaflet-control-attribution'), /Natural Earth/);
      assert.deepEqual(seen.filter((u) => !u.startsWith(other.url) && !u.startsWith('blob:')), [], 'nothing fetched from elsewhere');
      assert.deepEqual(other.requests.filter((r) => /\/(api|tiles)\b/.test(r.path)), [], 'no API requests');
      assert.ok(other.requests.some((r) => r.path.endsWith('control.pmtiles') && r.range), 'archive read with range requests');
      await page.screenshot({ path: join(artifacts, 'static-pmtiles.png') });
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
    // A vector archive is refused with a message, not drawn as broken images.
    const tj = await api(`tiles/control.json?format=mvt&date=${SHIPPED_DATE}`);
    const { x, y } = tileOf(37.8, 48.0, 6);
    const mvt = Buffer.from(await (await fetch(fillTemplate(tj.tiles[0], 6, x, y))).arrayBuffer());
    writeFileSync(join(workDir, 'site/archives/control-vector.pmtiles'), writePMTiles([{ z: 6, x, y, data: mvt }], { name: 'vector' }, bounds, 1));
    const vec = await openPage();
    try {
      await vec.page.goto(`${other.url}site/index.html?pmtiles=archives/control-vector.pmtiles`);
      await vec.page.waitForSelector('body[data-state="error"]', { timeout: 30_000 });
      assert.match(await vec.page.textContent('#error-text'), /control-vector\.pmtiles holds vector \(MVT\) tiles; this page draws raster \(PNG\) archives/);
      assert.deepEqual(vec.problems, []);
    } finally {
      await vec.close();
    }

    // On a high-DPI screen "{r}" in the archive name picks the @2x archive.
    const hi = await openPage({ dpr: 2 });
    try {
      await hi.page.goto(`${other.url}site/index.html?pmtiles=archives/base.pmtiles&pmtiles=archives/control%7Br%7D.pmtiles`);
      await settled(hi.page, () => document.querySelectorAll('.fl-pmtiles-1 img').length > 0);
      await hi.page.waitForFunction(() => [...document.querySelectorAll('.fl-tiles img')]
        .every((i) => i.style.display === 'none' || (i.complete && i.naturalWidth > 0)), null, { timeout: 30_000 });
      const widths = await hi.page.$$eval('.fl-pmtiles-1 img', (is) => [...new Set(is.filter((i) => i.style.display !== 'none').map((i) => i.naturalWidth))]);
      assert.deepEqual(widths, [512], '512 px tiles from control@2x.pmtiles');
      assert.ok(other.requests.some((q) => q.path.endsWith('/control@2x.pmtiles')), 'the @2x archive was read');
      assert.deepEqual(hi.problems, []);
    } finally {
      await hi.close();
    }
  });
});
