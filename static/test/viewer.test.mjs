// Browser test of the viewer against the real server binary and Debian's chromium.
//
// Run from the repo root after building (make, or sh static/build.sh && go build -o bin/frontline ./cmd/frontline):
//   node --test static/test/
// Environment: FRONTLINE_BIN (default bin/frontline), CHROMIUM (default /usr/bin/chromium).
// Screenshots go to test-artifacts/ at the repo root.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = resolve(repoRoot, process.env.FRONTLINE_BIN || 'bin/frontline');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const artifacts = join(repoRoot, 'test-artifacts');
const deepstateFile = resolve(repoRoot, '../shared/data/deepstate/deepstatemap_data_20250801.geojson');
const hasDeepstate = existsSync(deepstateFile);
const noDeepstate = hasDeepstate ? false : `real-data cases need ${deepstateFile}, which is absent`;

const SHIPPED_DATE = '2025-08-15';
const IMPORTED_DATE = '2025-08-01';
const FOCUS_ISO = ['UA-09', 'UA-14', 'UA-23', 'UA-65'];
// The Content-Security-Policy the server will send; added here so a violation shows up now.
const CSP = "default-src 'self'";

/**
 * Starts `bin serve` on 127.0.0.1:0 and resolves once it prints its address.
 * Returns {url, stop}; url ends with "/".
 */
function startServer(db) {
  return new Promise((resolveStart, rejectStart) => {
    const proc = spawn(bin, ['serve', '--db', db, '--addr', '127.0.0.1:0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise((res) => proc.once('exit', res));
    const stop = async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    };
    const timer = setTimeout(() => {
      stop();
      rejectStart(new Error(`${bin} serve printed no address within 60 s; stdout: ${stdout} stderr: ${stderr}`));
    }, 60_000);
    proc.stderr.on('data', (chunk) => { stderr += chunk; });
    proc.stdout.on('data', (chunk) => {
      stdout += chunk;
      const m = stdout.match(/frontline: serving (http:\/\/127\.0\.0\.1:\d+)\/?/);
      if (m) {
        clearTimeout(timer);
        resolveStart({ url: `${m[1]}/`, stop });
      }
    });
    proc.once('error', (err) => {
      clearTimeout(timer);
      rejectStart(new Error(`start ${bin}: ${err.message}`));
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      rejectStart(new Error(`${bin} serve exited (${code ?? signal}) before listening; stderr: ${stderr}`));
    });
  });
}

/** Imports a control snapshot with `bin import control`. */
async function importControl(db, file, date, source) {
  try {
    await promisify(execFile)(bin, ['import', 'control', file, '--db', db, '--date', date, '--source', source], { cwd: repoRoot, timeout: 180_000 });
  } catch (err) {
    throw new Error(`${bin} import control ${file}: ${err.message} ${err.stderr ?? ''}`);
  }
}

let server;
let browser;
let workDir;

/** Opens a page that records console errors, page errors and failed requests. */
async function openPage(viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  await page.route(`${server.url}**`, async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    if ((headers['content-type'] || '').startsWith('text/html')) headers['content-security-policy'] = CSP;
    await route.fulfill({ response, headers });
  });
  return { page, problems, close: () => context.close() };
}

/** Loads a viewer URL and waits until the control area for some date is drawn. */
async function loadViewer(page, path = '') {
  await page.goto(server.url + path);
  await page.waitForSelector('body[data-state]', { timeout: 30_000 });
  const state = await page.getAttribute('body', 'data-state');
  const error = await page.textContent('#error-text');
  assert.equal(state, 'ready', `viewer did not get ready: ${error}`);
}

/** All `d` attributes of the control layer's SVG paths, joined. */
const controlGeometry = (page) =>
  page.$$eval('path.fl-control', (paths) => paths.map((p) => p.getAttribute('d')).join(' '));

async function waitForControlDate(page, date) {
  await page.waitForSelector(`#map[data-control-date="${date}"]:not([aria-busy])`, { timeout: 30_000 });
}

describe('viewer', () => {
  before(async () => {
    assert.ok(existsSync(bin), `server binary ${bin} is missing: build it (go build -o bin/frontline ./cmd/frontline) or set FRONTLINE_BIN`);
    assert.ok(existsSync(chromiumPath), `chromium ${chromiumPath} is missing: apt-get install chromium, or set CHROMIUM`);
    mkdirSync(artifacts, { recursive: true });
    workDir = mkdtempSync(join(tmpdir(), 'frontline-viewer-'));
    const db = join(workDir, 'frontline.db');

    // Any command creates a missing database and fills it with the embedded defaults.
    if (hasDeepstate) await importControl(db, deepstateFile, IMPORTED_DATE, 'DeepStateMap');
    server = await startServer(db);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('index.html has no inline scripts or styles (CSP default-src self)', () => {
    const html = readFileSync(join(repoRoot, 'static/index.html'), 'utf8');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'inline <script>');
    assert.doesNotMatch(html, /<style\b/i, '<style> element');
    assert.doesNotMatch(html, /\sstyle\s*=/i, 'style attribute');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'inline event handler');
  });

  test('desktop: boundaries, emphasised oblasts, control area, badge and legend', { timeout: 90_000 }, async () => {
    const { page, problems, close } = await openPage();
    try {
      await loadViewer(page);
      await waitForControlDate(page, SHIPPED_DATE);

      const drawn = await page.evaluate(() => ({
        units: document.querySelectorAll('path.fl-unit').length,
        unitIso: [...new Set([...document.querySelectorAll('path.fl-unit')].map((p) => p.dataset.iso))].length,
        countries: document.querySelectorAll('path.fl-country').length,
        focus: [...document.querySelectorAll('path.fl-focus')].map((p) => p.dataset.iso).sort(),
        labels: [...document.querySelectorAll('.fl-label')].map((l) => l.textContent.trim()).sort(),
        control: [...document.querySelectorAll('path.fl-control')].map((p) => p.getAttribute('d') || '').filter((d) => d.length > 20).length,
        attribution: document.querySelector('.leaflet-control-attribution')?.textContent ?? '',
      }));
      assert.equal(drawn.units, 27, 'Ukrainian units drawn');
      assert.equal(drawn.unitIso, 27, 'distinct ISO codes among the drawn units');
      assert.ok(drawn.countries >= 1, `neighbouring countries drawn: ${drawn.countries}`);
      assert.deepEqual(drawn.focus, FOCUS_ISO, 'emphasised oblasts');
      assert.deepEqual(drawn.labels, ['Donetsk', 'Kherson', 'Luhansk', 'Zaporizhzhia'], 'oblast labels');
      assert.ok(drawn.control >= 1, 'control area drawn');
      assert.match(drawn.attribution, /Boundaries: Natural Earth \(public domain\)/);

      // The shipped snapshot is approximate, so the badge must show.
      const dates = await (await fetch(`${server.url}api/dates`)).json();
      const shipped = dates.dates.find((d) => d.date === SHIPPED_DATE);
      assert.ok(shipped, `server lists ${SHIPPED_DATE}`);
      assert.equal(shipped.approximate, true, `${SHIPPED_DATE} is approximate`);
      assert.ok(await page.isVisible('#approx-badge'), 'Approximate badge visible');
      assert.equal((await page.textContent('#approx-badge')).trim(), 'Approximate');
      assert.equal((await page.textContent('#date-label')).trim(), '15 August 2025');
      assert.ok((await page.textContent('#source-text')).trim().length > 1, 'source text shown');
      assert.ok(drawn.attribution.includes((await page.textContent('#source-text')).trim()), 'snapshot source in the attribution');
      assert.equal(await page.getAttribute('#date-slider', 'max'), String(dates.dates.length - 1), 'slider spans the dates');
      assert.match(page.url(), /[?&]date=2025-08-15(&|#|$)/, 'date written to the URL');

      // Legend: visible, one entry per drawn layer style.
      assert.ok(await page.isVisible('.legend'), 'legend visible');
      assert.equal(await page.locator('.legend-list li').count(), 4);
      assert.match(await page.textContent('.legend'), /Russian-held/);

      // Labelled controls.
      for (const name of ['Previous date', 'Next date', 'Date']) {
        assert.equal(await page.getByLabel(name, { exact: true }).count(), 1, `control labelled ${name}`);
      }

      await page.screenshot({ path: join(artifacts, 'viewer-desktop.png') });
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('date control: imported 2025-08-01 redraws the line, hides the badge and survives reload',
    { timeout: 120_000, skip: noDeepstate }, async () => {
      const { page, problems, close } = await openPage();
      try {
        await loadViewer(page);
        await waitForControlDate(page, SHIPPED_DATE);
        assert.equal(await page.getAttribute('#date-slider', 'max'), '1', 'slider offers 2 dates');
        assert.equal(await page.isDisabled('#date-next'), true, 'next disabled on the latest date');
        const shippedGeometry = await controlGeometry(page);

        // Keyboard: focus the slider and step back one date.
        await page.focus('#date-slider');
        await page.keyboard.press('ArrowLeft');
        await waitForControlDate(page, IMPORTED_DATE);
        assert.equal((await page.textContent('#date-label')).trim(), '1 August 2025');
        assert.equal(await page.getAttribute('#date-slider', 'aria-valuetext'), '1 August 2025');
        assert.equal(await page.isVisible('#approx-badge'), false, 'badge hidden for a non-approximate snapshot');
        assert.match(await page.textContent('#source-text'), /DeepStateMap/);
        assert.match(await page.textContent('.leaflet-control-attribution'), /DeepStateMap/);
        const importedGeometry = await controlGeometry(page);
        assert.ok(importedGeometry.length > 20, 'imported control area drawn');
        assert.notEqual(importedGeometry, shippedGeometry, 'control geometry changed with the date');
        assert.match(page.url(), /[?&]date=2025-08-01(&|#|$)/);
        await page.screenshot({ path: join(artifacts, 'viewer-desktop-2025-08-01.png') });

        // Reload restores the date (and the map view from the hash).
        const hashBefore = new URL(page.url()).hash;
        assert.match(hashBefore, /^#[\d.]+\/-?[\d.]+\/-?[\d.]+$/, 'map view in the URL hash');
        await page.reload();
        await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
        await waitForControlDate(page, IMPORTED_DATE);
        assert.equal(await page.inputValue('#date-slider'), '0');
        assert.equal((await page.textContent('#date-label')).trim(), '1 August 2025');
        assert.equal(await controlGeometry(page), importedGeometry);
        assert.equal(new URL(page.url()).hash, hashBefore, 'map view restored');

        // Next button goes back to the shipped, approximate date.
        await page.click('#date-next');
        await waitForControlDate(page, SHIPPED_DATE);
        assert.ok(await page.isVisible('#approx-badge'), 'badge back on the approximate date');
        assert.equal(await controlGeometry(page), shippedGeometry);
        assert.equal(await page.isDisabled('#date-prev'), false);

        // A fresh visit with ?date= opens on that date.
        await loadViewer(page, `?date=${IMPORTED_DATE}`);
        await waitForControlDate(page, IMPORTED_DATE);
        assert.equal(await page.isVisible('#approx-badge'), false);
        assert.deepEqual(problems, []);
      } finally {
        await close();
      }
    });

  test('phone width 390x844: map and date control visible and not overlapping', { timeout: 90_000 }, async () => {
    const viewport = { width: 390, height: 844 };
    const { page, problems, close } = await openPage(viewport);
    try {
      await loadViewer(page);
      await waitForControlDate(page, SHIPPED_DATE);
      const box = async (selector) => {
        assert.ok(await page.isVisible(selector), `${selector} visible`);
        const b = await page.locator(selector).boundingBox();
        assert.ok(b && b.width > 0 && b.height > 0, `${selector} has a size`);
        assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= viewport.width + 0.5 && b.y + b.height <= viewport.height + 0.5,
          `${selector} inside the viewport: ${JSON.stringify(b)}`);
        return b;
      };
      const mapBox = await box('#map');
      const controlBox = await box('.date-control');
      for (const selector of ['#date-slider', '#date-prev', '#date-next', '#date-label', '#approx-badge', '.legend']) await box(selector);
      const overlap = !(mapBox.x + mapBox.width <= controlBox.x || controlBox.x + controlBox.width <= mapBox.x ||
        mapBox.y + mapBox.height <= controlBox.y || controlBox.y + controlBox.height <= mapBox.y);
      assert.equal(overlap, false, `map ${JSON.stringify(mapBox)} overlaps date control ${JSON.stringify(controlBox)}`);
      assert.ok(mapBox.height >= 300, `map tall enough on a phone: ${mapBox.height}px`);
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scroll');
      await page.screenshot({ path: join(artifacts, 'viewer-phone.png') });
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });

  test('1920x1080 at zoom 6 on the four oblasts: neighbouring countries reach every edge of the map', { timeout: 90_000 }, async () => {
    // Land the shipped outlines do not reach would show as sea (data/SOURCE.md, "Why this box").
    const { page, problems, close } = await openPage({ width: 1920, height: 1080 });
    try {
      await loadViewer(page, '#6/47.94/35.83');
      await waitForControlDate(page, SHIPPED_DATE);
      const { map, drawn } = await page.evaluate(() => {
        const rect = (r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
        const drawn = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
        for (const path of document.querySelectorAll('path.fl-country')) {
          const r = path.getBoundingClientRect();
          drawn.left = Math.min(drawn.left, r.left);
          drawn.top = Math.min(drawn.top, r.top);
          drawn.right = Math.max(drawn.right, r.right);
          drawn.bottom = Math.max(drawn.bottom, r.bottom);
        }
        return { map: rect(document.querySelector('#map').getBoundingClientRect()), drawn };
      });
      assert.ok(map.right - map.left >= 1500, `map width ${map.right - map.left}px`);
      const where = `countries drawn over ${JSON.stringify(drawn)}, map ${JSON.stringify(map)}`;
      assert.ok(drawn.left <= map.left && drawn.right >= map.right, `west and east edges covered: ${where}`);
      assert.ok(drawn.top <= map.top && drawn.bottom >= map.bottom, `north and south edges covered: ${where}`);
      await page.screenshot({ path: join(artifacts, 'viewer-zoom6-1920.png') });
      assert.deepEqual(problems, []);
    } finally {
      await close();
    }
  });
});
