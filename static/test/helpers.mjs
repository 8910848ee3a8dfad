// Helpers of the browser test: the Frontline server, a second server standing in for
// another origin (a newsroom page, object storage), and a small PMTiles v3 writer.

import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { zxyToTileId } from 'pmtiles';

/**
 * Starts `bin serve` on 127.0.0.1:0 and resolves once it prints its address.
 * Returns {url, stop}; url ends with "/".
 */
export function startServer(bin, db, cwd) {
  return new Promise((resolveStart, rejectStart) => {
    const proc = spawn(bin, ['serve', '--db', db, '--addr', '127.0.0.1:0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
    proc.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-20_000); });
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
export async function importControl(bin, db, file, date, source, cwd) {
  try {
    await promisify(execFile)(bin, ['import', 'control', file, '--db', db, '--date', date, '--source', source], { cwd, timeout: 180_000 });
  } catch (err) {
    throw new Error(`${bin} import control ${file}: ${err.message} ${err.stderr ?? ''}`);
  }
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.pmtiles': 'application/octet-stream',
};

/**
 * A plain static file server on 127.0.0.1:0, another origin than Frontline's:
 * /site/... serves files of siteDir (the viewer as copied to object storage, with
 * HTTP range requests as PMTiles needs), /page/NAME serves pages[NAME] with the
 * Content-Security-Policy csp. Every request path is recorded in requests.
 */
export function startOtherOrigin(siteDir, pages, csp) {
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push({ path: url.pathname, range: req.headers.range ?? '' });
    // Chromium asks every origin for an icon; a 404 would show as a console error.
    if (url.pathname === '/favicon.ico') return res.writeHead(204).end();
    if (url.pathname.startsWith('/page/')) {
      const page = pages.get(url.pathname.slice('/page/'.length));
      if (!page) return res.writeHead(404).end('no such page');
      res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Content-Security-Policy': csp });
      return res.end(page);
    }
    if (!url.pathname.startsWith('/site/')) return res.writeHead(404).end('not found');
    const rel = normalize(decodeURIComponent(url.pathname.slice('/site/'.length)) || 'index.html');
    if (rel.startsWith('..')) return res.writeHead(403).end('outside the site');
    const file = join(siteDir, rel);
    let size;
    try {
      size = statSync(file).size;
    } catch {
      return res.writeHead(404).end('not found');
    }
    const body = readFileSync(file);
    const headers = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Accept-Ranges': 'bytes' };
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      const end = Math.min(m[2] ? Number(m[2]) : size - 1, size - 1);
      if (start >= size) return res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
      return res.end(body.subarray(start, end + 1));
    }
    res.writeHead(200, { ...headers, 'Content-Length': size });
    return res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}/`, requests, stop: () => new Promise((r) => server.close(r)) });
    });
  });
}

function varint(out, n) {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

/**
 * Writes a PMTiles v3 archive (spec: github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md)
 * of tiles [{z, x, y, data}] (PNG, or with tileType 1 MVT) with one uncompressed root
 * directory, clustered. bounds is [minLon, minLat, maxLon, maxLat].
 */
export function writePMTiles(tiles, metadata, bounds, tileType = 2) {
  const entries = tiles.map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), data: t.data })).sort((a, b) => a.id - b.id);
  const dir = [];
  let offset = 0;
  for (const e of entries) {
    dir.push({ id: e.id, offset, length: e.data.length });
    offset += e.data.length;
  }
  const d = [];
  varint(d, dir.length);
  let last = 0;
  for (const e of dir) {
    varint(d, e.id - last);
    last = e.id;
  }
  for (let i = 0; i < dir.length; i++) varint(d, 1); // run lengths
  for (const e of dir) varint(d, e.length);
  dir.forEach((e, i) => varint(d, i > 0 && e.offset === dir[i - 1].offset + dir[i - 1].length ? 0 : e.offset + 1));
  const root = Buffer.from(d);
  const meta = Buffer.from(JSON.stringify(metadata));
  const header = Buffer.alloc(127);
  header.write('PMTiles', 0, 'latin1');
  header[7] = 3;
  const u64 = (at, v) => header.writeBigUInt64LE(BigInt(v), at);
  const rootOff = 127;
  const metaOff = rootOff + root.length;
  const dataOff = metaOff + meta.length;
  u64(8, rootOff); u64(16, root.length);
  u64(24, metaOff); u64(32, meta.length);
  u64(40, dataOff); u64(48, 0); // no leaf directories
  u64(56, dataOff); u64(64, offset);
  u64(72, dir.length); u64(80, dir.length); u64(88, dir.length);
  header[96] = 1; // clustered
  header[97] = 1; // internal compression: none
  header[98] = 1; // tile compression: none
  header[99] = tileType; // 1 MVT, 2 PNG
  const zooms = tiles.map((t) => t.z);
  header[100] = Math.min(...zooms);
  header[101] = Math.max(...zooms);
  const e7 = (v) => Math.round(v * 1e7);
  header.writeInt32LE(e7(bounds[0]), 102);
  header.writeInt32LE(e7(bounds[1]), 106);
  header.writeInt32LE(e7(bounds[2]), 110);
  header.writeInt32LE(e7(bounds[3]), 114);
  header[118] = Math.max(...zooms);
  header.writeInt32LE(e7((bounds[0] + bounds[2]) / 2), 119);
  header.writeInt32LE(e7((bounds[1] + bounds[3]) / 2), 123);
  return Buffer.concat([header, root, meta, ...entries.map((e) => e.data)]);
}

/** Tile x, y holding lon, lat at zoom z (Web Mercator). */
export function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return { x: Math.min(n - 1, Math.max(0, x)), y: Math.min(n - 1, Math.max(0, y)) };
}
