// Unit test of the viewer's URL state and the links built from it (static/state.js), in Node.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseState, stateQuery, viewFromHash, hashOfView, overlayId, staticImageURLs, iframeCode, fillTemplate, formatKm2, escapeHTML,
} from '../state.js';

test('parseState and stateQuery round-trip every key, defaults left out', () => {
  const cases = [
    ['', ''],
    ['scenario=alaska-2025&date=2025-08-15', 'scenario=alaska-2025&date=2025-08-15'],
    // key order is fixed; layers equal to the default are dropped
    ['date=2025-08-15&layers=base,overlay&scenario=current', 'scenario=current&date=2025-08-15'],
    ['layers=overlay,diff', 'layers=overlay,diff'],
    ['layers=', 'layers='],
    ['compare=twin&scenario2=four-oblasts&date2=2025-07-01&oblasts=1', 'compare=twin&scenario2=four-oblasts&date2=2025-07-01&oblasts=1'],
    // side B only counts while comparing
    ['scenario2=four-oblasts&date2=2025-07-01', ''],
  ];
  for (const [input, want] of cases) {
    assert.equal(stateQuery(parseState(input)), want, `?${input}`);
    assert.equal(stateQuery(parseState(want)), want, `?${want} is a fixed point`);
  }
});

test('parseState drops malformed values instead of passing them on', () => {
  const s = parseState('scenario=<script>&date=2025-13&compare=fade&layers=base,sky,diff&date2=yesterday&oblasts=yes');
  assert.equal(s.scenario, '');
  assert.equal(s.date, '');
  assert.equal(s.compare, '');
  assert.deepEqual([...s.layers], ['base', 'diff']);
  assert.equal(s.date2, '');
  assert.equal(s.oblasts, false);
  assert.equal(parseState(`scenario=${'a'.repeat(65)}`).scenario, '', 'ids longer than 64 characters');
});

test('map view hash', () => {
  assert.deepEqual(viewFromHash('#7.25/48.0428/36.0750'), { zoom: 7.25, center: [48.0428, 36.075] });
  assert.equal(hashOfView(7.25, 48.04281, 36.07499), '7.25/48.0428/36.0750');
  assert.equal(hashOfView(6.999999, 48, 36), '7/48.0000/36.0000');
  for (const bad of ['', '#', '#7/48', '#a/b/c', '#7/91/36', '#7/48/181', '#-1/48/36', '#7/48/36/1']) {
    assert.equal(viewFromHash(bad), null, bad);
  }
});

test('tileset ids and tile templates', () => {
  assert.equal(overlayId(''), 'control');
  assert.equal(overlayId('alaska-2025'), 'scenario-alaska-2025');
  const t = 'http://h/tiles/control/2025-08-15.r3/{z}/{x}/{y}{r}.png';
  assert.equal(fillTemplate(t, 7, 76, 44), 'http://h/tiles/control/2025-08-15.r3/7/76/44.png');
  assert.equal(fillTemplate(t, 7, 76, 44, true), 'http://h/tiles/control/2025-08-15.r3/7/76/44@2x.png');
});

test('static image links follow /static/{style}/{lon},{lat},{zoom}/{w}x{h}@2x.png', () => {
  const view = { lng: 36.07499, lat: 48.04281, zoom: 7.25 };
  assert.deepEqual(staticImageURLs('http://h', 'scenario-alaska-2025', view, { w: 920, h: 800 }, { date: '2025-08-15' }), {
    png: 'http://h/static/scenario-alaska-2025/36.0750,48.0428,7.25/920x800@2x.png?date=2025-08-15',
    svg: 'http://h/static/scenario-alaska-2025/36.0750,48.0428,7.25/920x800.svg?date=2025-08-15',
    social: 'http://h/static/scenario-alaska-2025/auto/social.png?date=2025-08-15',
  });
  const diff = staticImageURLs('http://h', 'diff', view, { w: 3000, h: 0.2 }, { from: '2025-07-01', to: '2025-08-15' });
  assert.equal(diff.png, 'http://h/static/diff/36.0750,48.0428,7.25/1280x1@2x.png?from=2025-07-01&to=2025-08-15', 'size clamped to 1..1280');
});

test('iframe code escapes its attributes and has no inline style', () => {
  const code = iframeCode('http://h/embed?scenario=a&date=2025-08-15#7/48/36', 'Map: "A" & <B>');
  assert.equal(code, '<iframe src="http://h/embed?scenario=a&amp;date=2025-08-15#7/48/36" title="Map: &quot;A&quot; &amp; &lt;B&gt;" ' +
    'width="100%" height="480" frameborder="0" loading="lazy" allowfullscreen></iframe>');
});

test('escapeHTML escapes the five HTML characters and nothing else', () => {
  assert.equal(escapeHTML(`© <a href="x">O'Brien</a> & co`), '© &lt;a href=&quot;x&quot;&gt;O&#39;Brien&lt;/a&gt; &amp; co');
  assert.equal(escapeHTML(12), '12');
});

test('km² formatting', () => {
  assert.equal(formatKm2(6551.210549), '6,551 km²');
  assert.equal(formatKm2(0), '0 km²');
  assert.equal(formatKm2(3.75e-7), '<1 km²');
  assert.equal(formatKm2(120332.5), '120,333 km²');
});
