// Browser test of the security headers: the viewer works under the
// Content-Security-Policy the server really sends (no header rewriting),
// and no other origin can frame it.
//
// Run from the repo root after building: node --test static/test/*.test.mjs
// (as make test-browser does).
// Environment: FRONTLINE_BIN (default bin/frontline), CHROMIUM (default /usr/bin/chromium).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = resolve(repoRoot, process.env.FRONTLINE_BIN || 'bin/frontline');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

let proc;
let base;
let browser;
let workDir;
let framer;

describe('security headers in a browser', () => {
  before(async () => {
    assert.ok(existsSync(bin), `server binary ${bin} is missing: build it first or set FRONTLINE_BIN`);
    workDir = mkdtempSync(join(tmpdir(), 'frontline-csp-'));
    proc = spawn(bin, ['serve', '--db', join(workDir, 'f.db'), '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    base = await new Promise((res, rej) => {
      let out = '';
      const timer = setTimeout(() => rej(new Error('server did not start within 60 s')), 60_000);
      proc.stdout.on('data', (c) => {
        out += c;
        const m = out.match(/frontline: serving (http:\/\/127\.0\.0\.1:\d+)\//);
        if (m) { clearTimeout(timer); res(m[1]); }
      });
      proc.once('exit', (code) => rej(new Error(`serve exited with ${code}`)));
    });
    // A page on another origin (another port) that frames the viewer and, as the
    // control, /embed (which any origin may frame). Each iframe marks its load event,
    // which fires for a blocked frame too (on the browser's error page).
    framer = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html>' +
        `<iframe id="viewer" src="${base}/" width="400" height="300" onload="this.dataset.loaded=1"></iframe>` +
        `<iframe id="embed" src="${base}/embed" width="400" height="300" onload="this.dataset.loaded=1"></iframe>`);
    });
    await new Promise((res) => framer.listen(0, '127.0.0.1', res));
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    framer?.close();
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((res) => proc.once('exit', res));
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('the viewer gets ready under the served CSP, without violations', { timeout: 90_000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
    page.on('pageerror', (err) => problems.push(err.message));
    const resp = await page.goto(`${base}/`);
    const csp = resp.headers()['content-security-policy'] || '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(resp.headers()['x-frame-options'], 'DENY');
    assert.equal(resp.headers()['x-content-type-options'], 'nosniff');
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60_000 });
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready');
    // Leaflet drew the map: tiles of the overlay came in under the policy.
    await page.waitForSelector('.fl-overlay img.leaflet-tile-loaded', { timeout: 60_000 });
    assert.deepEqual(problems, [], 'console errors (a CSP violation shows as "Refused to ...")');
    await context.close();
  });

  test('another origin cannot frame the viewer', { timeout: 60_000 }, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const { port } = framer.address();
    await page.goto(`http://127.0.0.1:${port}/`);
    const loaded = async (id) => {
      const el = await page.waitForSelector(`iframe#${id}[data-loaded="1"]`, { state: 'attached', timeout: 30_000 });
      const frame = await el.contentFrame();
      assert.ok(frame, `iframe#${id} has a frame`);
      return frame;
    };
    // The control: the same page frames /embed, and it does get the viewer markup.
    const embed = await loaded('embed');
    assert.ok(embed.url().startsWith(`${base}/embed`), `embed frame at ${embed.url()}`);
    assert.match(await embed.content(), /Russian-held territory/, 'the embed did not load in a foreign frame');
    // The viewer itself is refused: the frame ends on the browser's error page
    // (or stays blank), never on the viewer's URL, and holds no viewer markup.
    const viewer = await loaded('viewer');
    assert.ok(!viewer.url().startsWith(base), `the viewer's frame navigated to ${viewer.url()}`);
    assert.match(viewer.url(), /^(chrome-error:|about:blank$)/, 'the blocked frame shows an error page or nothing');
    assert.doesNotMatch(await viewer.content(), /Russian-held territory/, 'the viewer rendered inside a foreign frame');
    await context.close();
  });
});
