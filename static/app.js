// Frontline viewer: raster tiles from the server's TileJSON (base map, the line of
// control or a scenario, the change since the previous date), a legend with the
// area figures of the current choice, two comparison modes, a share dialog, an
// embed mode (/embed) and a static hosting mode that reads PMTiles archives
// (?pmtiles=URL, no Frontline server). The whole state lives in the URL
// (state.js); colours of the legend live in app.css.

import {
  parseState, stateQuery, viewFromHash, hashOfView, overlayId, staticImageURLs, iframeCode, formatKm2, escapeHTML,
} from './state.js';

const L = window.L;

// The four oblasts named in the reported proposals (Kherson to Luhansk, Crimea left out).
const FOUR_OBLASTS = [[45.9, 31.9], [50.1, 40.25]];
const SLIDER_DEBOUNCE_MS = 150;
const NARROW = window.matchMedia('(max-width: 760px)');

const el = (id) => document.getElementById(id);
const ui = {
  maps: el('maps'),
  cellB: el('cell-b'),
  scenario: el('scenario-select'),
  slider: el('date-slider'),
  prev: el('date-prev'),
  next: el('date-next'),
  label: el('date-label'),
  badge: el('approx-badge'),
  first: el('date-first'),
  last: el('date-last'),
  source: el('source-text'),
  note: el('note-text'),
  error: el('error-text'),
  embedTitle: el('embed-title'),
  layerBoxes: [el('layer-base'), el('layer-overlay'), el('layer-diff')],
  overlayName: el('overlay-name'),
  diffName: el('diff-name'),
  legend: el('legend-list'),
  oblastDetails: el('oblast-details'),
  oblastTable: el('oblast-table'),
  compareWith: el('compare-with'),
  scenario2: el('scenario2-select'),
  date2: el('date2-select'),
  changed: el('changed'),
  scenarioTitle: el('scenario-title'),
  scenarioSummary: el('scenario-summary'),
  scenarioMeta: el('scenario-meta'),
  scenarioSources: el('scenario-sources'),
  sources: el('sources-list'),
  labelA: document.querySelector('.side-a'),
  labelBSwipe: document.querySelector('.side-b-swipe'),
  labelBTwin: document.querySelector('.side-b-twin'),
  shareOpen: el('share-open'),
  share: el('share'),
  shareBody: el('share-body'),
  openFull: el('open-full'),
};

const pageURL = new URL(location.href);
const PMTILES = pageURL.searchParams.getAll('pmtiles');
const MODE = PMTILES.length ? 'pmtiles' : /\/embed\/?$/.test(location.pathname) ? 'embed' : 'full';
document.body.dataset.mode = MODE;
// Links are built against the directory the viewer is served from (the server root,
// also when the page is /embed).
const ROOT = new URL('./', location.href).href.replace(/\/$/, '');

const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const shortDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const formatDate = (iso, format = longDate) => format.format(new Date(`${iso}T00:00:00Z`));

/** Creates an element with a class and text. */
function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Fetches JSON, turning a non-2xx answer into an Error carrying the server's message.
 * The API lets caches keep answers for 60 s; the page revalidates every time (a 304
 * when nothing changed) so that it never shows a catalogue older than its tiles.
 */
const jsonCache = new Map();
function getJSON(url) {
  if (!jsonCache.has(url)) {
    const p = fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-cache' }).then(async (res) => {
      if (!res.ok) {
        let detail = `HTTP ${res.status}`;
        try {
          detail = (await res.json()).error || detail;
        } catch {
          // body was not JSON; keep the status
        }
        throw new Error(`${url}: ${detail}`);
      }
      return res.json();
    });
    p.catch(() => jsonCache.delete(url));
    jsonCache.set(url, p);
  }
  return jsonCache.get(url);
}

/** Loads a classic script once (the compare and PMTiles libraries are only fetched when used). */
const scripts = new Map();
function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(s);
    }));
  }
  return scripts.get(src);
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = !message;
}

// --- maps and tile layers ------------------------------------------------------

const mapOptions = { zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 3, maxZoom: 12 };
const mapA = L.map('map', mapOptions);
L.control.scale({ imperial: false }).addTo(mapA);
let mapB = null;
const startView = viewFromHash(location.hash);
if (startView) mapA.setView(startView.center, startView.zoom);
else mapA.fitBounds(FOUR_OBLASTS, { animate: false, padding: [12, 12] });

// Tile progress, for people (aria-busy) and for the browser test (data-tiles, marks).
const tileLayers = new Set();
let firstTileMarked = false;
let tilesLoadedMarked = false;
function trackTiles(layer) {
  tileLayers.add(layer);
  layer.on('tileload', () => {
    if (!firstTileMarked) {
      firstTileMarked = true;
      performance.mark('fl-first-tile');
    }
  });
  layer.on('loading load tileerror remove add', updateTileStatus);
  layer.on('remove', () => tileLayers.delete(layer));
}
function updateTileStatus() {
  // A layer fires "load" only after its last tile; isLoading() sees the rest.
  queueMicrotask(() => {
    const loading = [...tileLayers].some((l) => l._map && l.isLoading());
    ui.maps.dataset.tiles = loading ? 'loading' : 'loaded';
    ui.maps.setAttribute('aria-busy', String(loading));
    if (!loading && !tilesLoadedMarked && tileLayers.size > 0) {
      tilesLoadedMarked = true;
      performance.mark('fl-tiles-loaded');
    }
  });
}

/**
 * Credits a layer's attribution part by part ("A; B; C"), so that parts shared by
 * several layers (the boundaries' source) show once; Leaflet counts each part.
 */
function attribute(layer, text) {
  const parts = String(text || '').split(/;\s*/).filter(Boolean).map(escapeHTML);
  layer.on('add', () => parts.forEach((p) => layer._map.attributionControl?.addAttribution(p)));
  layer.on('remove', () => parts.forEach((p) => layer._map?.attributionControl?.removeAttribution(p)));
}

/**
 * Leaflet cancels a tile it no longer wants by pointing the image at a data: GIF,
 * which a strict Content-Security-Policy (img-src 'self') reports as a violation;
 * dropping the src attribute cancels the download just as well.
 */
const TileLayer = L.TileLayer.extend({
  _removeTile(key) {
    const tile = this._tiles[key];
    if (!tile) return;
    tile.el.removeAttribute('src');
    L.GridLayer.prototype._removeTile.call(this, key);
  },
  _abortLoading() {
    for (const [key, tile] of Object.entries(this._tiles)) {
      if (tile.coords.z === this._tileZoom) continue;
      tile.el.onload = L.Util.falseFn;
      tile.el.onerror = L.Util.falseFn;
      if (!tile.el.complete) {
        tile.el.removeAttribute('src');
        L.DomUtil.remove(tile.el);
        delete this._tiles[key];
        this.fire('tileabort', { tile: tile.el, coords: tile.coords });
      }
    }
  },
});

/** Layers currently on each map, by slot name. */
const slots = new WeakMap();
/** Puts a tile layer from a TileJSON into slot name of map (null removes it); returns the layer. */
function setSlot(map, name, tj, zIndex) {
  if (!slots.has(map)) slots.set(map, new Map());
  const held = slots.get(map);
  const old = held.get(name);
  const template = tj?.tiles?.[0];
  if (old && old.options.flTemplate === template) return old;
  if (old) {
    map.removeLayer(old);
    held.delete(name);
  }
  if (!template) return null;
  const layer = new TileLayer(template, {
    flTemplate: template,
    className: `fl-tiles fl-${name}`,
    zIndex,
    maxNativeZoom: tj.maxzoom ?? 14,
    minNativeZoom: tj.minzoom ?? 0,
    maxZoom: mapOptions.maxZoom,
    crossOrigin: true,
  });
  attribute(layer, tj.attribution);
  trackTiles(layer);
  layer.on('tileerror', refreshAfterTileError);
  layer.addTo(map);
  held.set(name, layer);
  return layer;
}

// --- data --------------------------------------------------------------------

const catalogue = { dates: [], scenarios: [], byDate: new Map(), byScenario: new Map() };
let state = parseState(location.search);

const tileJSONURL = (id, query) => `${ROOT}/tiles/${id}.json?${new URLSearchParams({ format: 'png', ...query })}`;
const overlayTileJSON = (side) => getJSON(tileJSONURL(overlayId(side.scenario), { date: side.date }));

/** The previous stored date before d, or "". */
function previousDate(d) {
  const i = catalogue.dates.findIndex((x) => x.date === d);
  return i > 0 ? catalogue.dates[i - 1].date : '';
}

/**
 * Area figures of one side: a scenario's (to Russia, to Ukraine, held after), or for
 * the line of control alone the occupied area (a change from a date to itself).
 */
async function figuresOf(side) {
  if (side.scenario) {
    const f = await getJSON(`${ROOT}/api/scenarios/${encodeURIComponent(side.scenario)}?date=${side.date}`);
    return { kind: 'scenario', held: f.total.russia_after_km2, total: f.total, oblasts: f.oblasts, line: f.line, scenario: f.scenario, asOf: f.as_of };
  }
  const f = await getJSON(`${ROOT}/api/change?from=${side.date}&to=${side.date}`);
  const oblasts = f.oblasts.map((o) => ({ iso: o.iso, name: o.name, total_km2: o.total_km2, occupied_km2: o.occupied_to_km2 }));
  return { kind: 'control', held: f.total.occupied_to_km2, total: { occupied_km2: f.total.occupied_to_km2 }, oblasts, line: f.to, asOf: f.to.date };
}

const sideName = (side) => (side.scenario ? catalogue.byScenario.get(side.scenario)?.title ?? side.scenario : 'Line of control');

// --- rendering -----------------------------------------------------------------

const LEGEND = {
  control: [
    ['control', 'Russian-held area', (f) => f.total.occupied_km2],
    ['line', 'Line of contact'],
  ],
  scenario: [
    ['russia', 'Held by Russia after the deal', (f) => f.total.russia_after_km2],
    ['to_russia', 'Ukraine would cede', (f) => f.total.to_russia_km2],
    ['to_ukraine', 'Russia would return', (f) => f.total.to_ukraine_km2],
    ['line', 'Line of contact after the deal'],
    ['current_line', 'Line of contact on the date'],
  ],
};

function legendItem(key, text, value) {
  const li = h('li');
  li.dataset.key = key;
  li.append(h('span', `swatch swatch-${key}`), h('span', 'legend-text', text));
  li.firstChild.setAttribute('aria-hidden', 'true');
  if (value !== undefined) {
    const v = h('span', 'figure', formatKm2(value));
    v.dataset.figure = key;
    v.dataset.value = value.toFixed(1);
    li.append(v);
  }
  return li;
}

function renderLegend(figA, change) {
  const items = [];
  if (state.layers.has('overlay')) {
    for (const [key, text, value] of LEGEND[figA.kind]) items.push(legendItem(key, text, value?.(figA)));
  }
  if (change && state.layers.has('diff') && !state.compare) {
    items.push(legendItem('gained', `Russian gains since ${formatDate(change.from.date, shortDate)}`, change.total.gained_km2));
    items.push(legendItem('lost', `Russian losses since ${formatDate(change.from.date, shortDate)}`, change.total.lost_km2));
  }
  if (state.layers.has('base')) {
    items.push(legendItem('focus', 'Oblasts named in the proposals'));
    items.push(legendItem('unit', 'Other Ukrainian oblasts'));
  }
  ui.legend.replaceChildren(...items);
}

function renderOblasts(fig) {
  const cols = fig.kind === 'scenario'
    ? [['occupied_km2', 'Held on the date'], ['to_russia_km2', 'To Russia'], ['to_ukraine_km2', 'To Ukraine'], ['russia_after_km2', 'Russia after']]
    : [['occupied_km2', 'Russian-held'], ['total_km2', 'Oblast area']];
  const head = h('tr');
  head.append(h('th', '', 'Oblast'), ...cols.map(([, t]) => h('th', 'num', `${t}, km²`)));
  for (const th of head.children) th.scope = 'col';
  ui.oblastTable.tHead.replaceChildren(head);
  const rows = fig.oblasts.map((o) => {
    const tr = h('tr');
    tr.dataset.iso = o.iso;
    const name = h('th', '', o.name);
    name.scope = 'row';
    tr.append(name, ...cols.map(([k]) => h('td', 'num', Math.round(o[k] ?? 0).toLocaleString('en-GB'))));
    return tr;
  });
  ui.oblastTable.tBodies[0].replaceChildren(...rows);
}

function renderSnapshot(meta) {
  ui.label.textContent = formatDate(meta.date);
  ui.badge.hidden = !meta.approximate;
  ui.source.textContent = meta.source || 'not stated';
  ui.note.textContent = meta.note || '';
  ui.note.hidden = !meta.note;
}

function renderDateControls() {
  const n = catalogue.dates.length;
  const i = catalogue.dates.findIndex((d) => d.date === state.date);
  ui.slider.max = String(Math.max(0, n - 1));
  ui.slider.value = String(i);
  ui.slider.disabled = n < 2;
  ui.slider.setAttribute('aria-valuetext', formatDate(state.date));
  ui.prev.disabled = i <= 0;
  ui.next.disabled = i >= n - 1;
}

function renderScenarioPanel(fig) {
  const sc = fig.kind === 'scenario' ? catalogue.byScenario.get(state.scenario) ?? fig.scenario : null;
  if (sc) {
    ui.scenarioTitle.textContent = sc.title;
    ui.scenarioSummary.textContent = sc.summary;
    ui.scenarioMeta.textContent = `Reported ${formatDate(sc.reported)}. Rule: ${sc.rule}. Figures relative to the line of ${formatDate(fig.asOf)}.`;
    ui.scenarioSources.replaceChildren(...(sc.sources ?? []).map((s) => {
      const li = h('li');
      li.append(h('strong', '', s.publisher), document.createTextNode(`: ${s.title}`));
      if (s.date) li.append(document.createTextNode(` (${formatDate(s.date, shortDate)})`));
      return li;
    }));
  } else {
    ui.scenarioTitle.textContent = 'The line of control';
    ui.scenarioSummary.textContent = 'The shaded area is the territory held by Russian forces on the chosen date, Crimea included. Pick a scenario to see what a reported proposal would change.';
    ui.scenarioMeta.textContent = '';
    ui.scenarioSources.replaceChildren();
  }
  const line = fig.line;
  const items = [
    ['Line of control', `${line.source || 'not stated'}, ${formatDate(line.date)}${line.approximate ? ' (approximate)' : ''}`],
    ['Boundaries', 'Natural Earth (public domain)'],
    ['Areas', 'geodesic on the WGS84 ellipsoid, computed by Frontline'],
  ];
  ui.sources.replaceChildren(...items.map(([k, v]) => {
    const li = h('li');
    li.append(h('strong', '', k), document.createTextNode(`: ${v}`));
    return li;
  }));
}

function sideLabel(node, letter, side, fig) {
  node.replaceChildren();
  node.append(h('span', 'side-letter', letter), h('span', 'side-name', sideName(side)), h('span', 'side-date', formatDate(side.date, shortDate)));
  if (catalogue.byDate.get(side.date)?.approximate) node.append(h('span', 'badge badge-small', 'Approximate'));
  const v = h('span', 'side-figure', `Russia holds ${formatKm2(fig.held)}`);
  v.dataset.value = fig.held.toFixed(1);
  node.append(v);
  node.hidden = false;
}

/** The "what changed" summary between side A and side B. */
function renderChanged(figA, figB, change) {
  const rows = [];
  const row = (key, text, value) => {
    const p = h('p', 'changed-row');
    p.dataset.key = key;
    p.append(h('span', '', text));
    if (value !== undefined) {
      const v = h('strong', 'figure', formatKm2(value));
      v.dataset.value = value.toFixed(1);
      p.append(v);
    }
    rows.push(p);
  };
  if (change) {
    const span = `${formatDate(change.from.date, shortDate)} → ${formatDate(change.to.date, shortDate)}`;
    row('gained', `Russian gains, ${span}`, change.total.gained_km2);
    row('lost', `Russian losses, ${span}`, change.total.lost_km2);
  }
  for (const [letter, fig] of [['A', figA], ['B', figB]]) {
    if (fig.kind === 'scenario') {
      row(`to_russia_${letter.toLowerCase()}`, `${letter}: Ukraine would cede`, fig.total.to_russia_km2);
      row(`to_ukraine_${letter.toLowerCase()}`, `${letter}: Russia would return`, fig.total.to_ukraine_km2);
    }
  }
  const diff = figB.held - figA.held;
  row('held_diff', `Russia holds under B ${diff >= 0 ? 'more' : 'less'} than under A`, Math.abs(diff));
  ui.changed.replaceChildren(h('h3', 'eyebrow', 'What changed'), ...rows);
}

// --- compare -------------------------------------------------------------------

let swipe = null;

/** A side-by-side control that can also split top/bottom (narrow screens). */
function swipeControl(left, right, vertical) {
  const Base = L.Control.SideBySide;
  const Swipe = Base.extend({
    getPosition() {
      if (!this.options.vertical) return Base.prototype.getPosition.call(this);
      const v = Number(this._range.value);
      const offset = (0.5 - v) * (2 * this.options.padding + this.options.thumbSize);
      return this._map.getSize().y * v + offset;
    },
    _updateClip() {
      if (!this.options.vertical) return Base.prototype._updateClip.call(this);
      const map = this._map;
      const nw = map.containerPointToLayerPoint([0, 0]);
      const se = map.containerPointToLayerPoint(map.getSize());
      const pos = this.getPosition();
      const clipY = nw.y + pos;
      this._divider.style.top = `${pos}px`;
      this.fire('dividermove', { y: pos });
      if (this._leftLayer) this._leftLayer.getContainer().style.clip = `rect(${nw.y}px,${se.x}px,${clipY}px,${nw.x}px)`;
      if (this._rightLayer) this._rightLayer.getContainer().style.clip = `rect(${clipY}px,${se.x}px,${se.y}px,${nw.x}px)`;
      return undefined;
    },
  });
  const control = new Swipe(left, right, { vertical });
  control.addTo(mapA);
  control._container.classList.toggle('leaflet-sbs-vertical', vertical);
  control._range.setAttribute('aria-label', vertical ? 'Swipe divider: A above, B below' : 'Swipe divider: A left, B right');
  if (vertical) control._range.setAttribute('aria-orientation', 'vertical');
  return control;
}

async function ensureTwin() {
  if (mapB) return mapB;
  await loadScript(`${ROOT}/vendor/leaflet.sync/L.Map.Sync.js`);
  // The view as the URL has it: read before the layout changes, which moves the map.
  const { center, zoom } = viewFromHash(location.hash) ?? { center: mapA.getCenter(), zoom: mapA.getZoom() };
  ui.cellB.hidden = false;
  ui.maps.dataset.compare = 'twin';
  mapA.invalidateSize({ pan: false });
  // reset: a small move would otherwise be a pan by whole pixels, off by up to one.
  mapA.setView(center, zoom, { reset: true });
  mapB = L.map('map-b', { ...mapOptions, zoomControl: false });
  mapB.setView(center, zoom, { reset: true });
  const cursor = { syncCursor: true, syncCursorMarkerOptions: { radius: 8, color: '#1c2229', weight: 2, fillColor: '#ffffff', fillOpacity: 0.5, interactive: false, className: 'fl-cursor' } };
  mapA.sync(mapB, cursor);
  mapB.sync(mapA, { ...cursor, noInitialSync: true });
  return mapB;
}

function dropTwin() {
  if (!mapB) return;
  mapA.unsync(mapB);
  mapB.unsync(mapA);
  mapA.cursor?.remove();
  mapA.cursor = undefined;
  mapB.remove();
  mapB = null;
  const { center, zoom } = viewFromHash(location.hash) ?? { center: mapA.getCenter(), zoom: mapA.getZoom() };
  ui.cellB.hidden = true;
  ui.maps.dataset.compare = state.compare;
  mapA.invalidateSize({ pan: false });
  mapA.setView(center, zoom, { reset: true });
}

// --- applying the state --------------------------------------------------------

let applySeq = 0;

function writeURL() {
  const c = mapA.getCenter();
  const query = stateQuery(state);
  const hash = hashOfView(mapA.getZoom(), c.lat, c.lng);
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}#${hash}`);
  ui.openFull.href = `${ROOT}/${query ? `?${query}` : ''}#${hash}`;
  if (ui.share.open) renderShare();
}

/**
 * Brings maps, layers, legend and panels in line with state; later calls win. Tiles
 * start as soon as their TileJSON is in; the figures follow. body[data-state] is
 * "loading" until both are shown.
 */
async function apply() {
  const seq = ++applySeq;
  document.body.dataset.state = 'loading';
  document.body.toggleAttribute('data-compare-on', Boolean(state.compare));
  writeURL();
  renderDateControls();
  const entry = catalogue.byDate.get(state.date);
  renderSnapshot(entry);
  syncInputs();
  const sideA = { scenario: state.scenario, date: state.date };
  const sideB = state.compare ? { scenario: state.scenario2, date: state.date2 } : null;
  const prev = previousDate(state.date);
  const wantDiff = state.layers.has('diff') && !state.compare && prev;
  const changeFrom = sideB && sideB.date !== sideA.date ? [sideA.date, sideB.date].sort() : null;
  const figures = Promise.all([
    figuresOf(sideA),
    sideB ? figuresOf(sideB) : null,
    wantDiff ? getJSON(`${ROOT}/api/change?from=${prev}&to=${state.date}`) : null,
    changeFrom ? getJSON(`${ROOT}/api/change?from=${changeFrom[0]}&to=${changeFrom[1]}`) : null,
  ]);
  figures.catch(() => {}); // reported below, after the tiles
  try {
    const [baseTJ, tjA, tjB, diffTJ] = await Promise.all([
      getJSON(tileJSONURL('base', {})),
      overlayTileJSON(sideA),
      sideB ? overlayTileJSON(sideB) : null,
      wantDiff ? getJSON(tileJSONURL('diff', { from: prev, to: state.date })) : null,
      state.compare ? loadScript(`${ROOT}/vendor/leaflet-side-by-side/leaflet-side-by-side.js`) : null,
    ]);
    if (seq !== applySeq) return;

    if (state.compare === 'twin') await ensureTwin();
    else dropTwin();
    if (seq !== applySeq) return;

    const show = (name, tj) => (state.layers.has(name) ? tj : null);
    setSlot(mapA, 'base', show('base', baseTJ), 1);
    const layerA = setSlot(mapA, 'overlay', show('overlay', tjA), 2);
    setSlot(mapA, 'diff', wantDiff ? diffTJ : null, 3);
    const layerB = setSlot(mapA, 'overlay-b', state.compare === 'swipe' ? show('overlay', tjB) : null, 2);
    if (mapB) {
      setSlot(mapB, 'base', show('base', baseTJ), 1);
      setSlot(mapB, 'overlay', show('overlay', tjB), 2);
    }
    swipe?.remove();
    swipe = null;
    for (const l of [layerA, layerB]) if (l) l.getContainer().style.clip = '';
    if (state.compare === 'swipe') swipe = swipeControl(layerA ? [layerA] : [], layerB ? [layerB] : [], NARROW.matches);

    ui.maps.dataset.compare = state.compare;
    ui.maps.dataset.vertical = String(NARROW.matches);
    ui.maps.dataset.overlay = tjA.tiles[0];
    if (tjB) ui.maps.dataset.overlayB = tjB.tiles[0];
    else delete ui.maps.dataset.overlayB;

    ui.overlayName.textContent = state.scenario ? `Scenario: ${sideName(sideA)}` : 'Russian-held area';
    ui.diffName.textContent = prev ? `Change since ${formatDate(prev, shortDate)}` : 'Change since the previous date (none stored)';
    ui.layerBoxes[2].disabled = !prev || Boolean(state.compare);
    ui.embedTitle.textContent = sideB ? `${sideName(sideA)} (A) and ${sideName(sideB)} (B)` : sideName(sideA);
    document.title = `Frontline: ${sideName(sideA)}, ${formatDate(state.date)}`;

    const [figA, figB, diffChange, change] = await figures;
    if (seq !== applySeq) return;
    renderSnapshot({ ...entry, ...figA.line });
    renderLegend(figA, diffChange);
    renderOblasts(figA);
    renderScenarioPanel(figA);
    if (sideB) {
      sideLabel(ui.labelA, 'A', sideA, figA);
      sideLabel(state.compare === 'swipe' ? ui.labelBSwipe : ui.labelBTwin, 'B', sideB, figB);
      (state.compare === 'swipe' ? ui.labelBTwin : ui.labelBSwipe).hidden = true;
      renderChanged(figA, figB, change);
    } else {
      for (const n of [ui.labelA, ui.labelBSwipe, ui.labelBTwin]) n.hidden = true;
      ui.changed.replaceChildren();
    }
    showError('');
    ui.maps.dataset.state = stateQuery(state);
    document.body.dataset.state = 'ready';
  } catch (err) {
    if (seq !== applySeq) return;
    showError(`Could not load the map for ${formatDate(state.date)}. ${err.message}`);
    document.body.dataset.state = 'error';
  }
}

/** Puts the state into the form controls. */
function syncInputs() {
  ui.scenario.value = state.scenario;
  for (const box of ui.layerBoxes) box.checked = state.layers.has(box.value);
  for (const r of document.querySelectorAll('input[name="compare"]')) r.checked = r.value === state.compare;
  ui.compareWith.hidden = !state.compare;
  ui.scenario2.value = state.scenario2;
  ui.date2.value = state.date2;
  ui.oblastDetails.open = state.oblasts;
}

function update(change) {
  state = { ...state, ...change };
  return apply();
}

// --- share ---------------------------------------------------------------------

function shareField(id, label, value, { multiline = false, link = false } = {}) {
  const wrap = h('div', 'share-field');
  const lab = h('label', '', label);
  lab.htmlFor = id;
  const input = h(multiline ? 'textarea' : 'input', 'share-code');
  input.id = id;
  input.readOnly = true;
  input.value = value;
  if (multiline) input.rows = 3;
  input.addEventListener('focus', () => input.select());
  const copy = h('button', 'button button-small', 'Copy');
  copy.type = 'button';
  copy.setAttribute('aria-label', `Copy ${label.toLowerCase()}`);
  copy.addEventListener('click', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(value);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Press Ctrl+C';
    }
  });
  const row = h('div', 'share-row');
  row.append(input, copy);
  wrap.append(lab, row);
  if (link) {
    const a = h('a', 'share-link', 'Open');
    a.href = value;
    a.target = '_blank';
    a.rel = 'noopener';
    a.dataset.for = id;
    wrap.append(a);
  }
  return wrap;
}

async function renderShare() {
  const seq = applySeq;
  const c = mapA.getCenter();
  const query = stateQuery(state);
  const hash = hashOfView(mapA.getZoom(), c.lat, c.lng);
  const permalink = `${ROOT}/${query ? `?${query}` : ''}#${hash}`;
  const embed = `${ROOT}/embed${query ? `?${query}` : ''}#${hash}`;
  const id = overlayId(state.scenario);
  const [raster, vector, baseRaster] = await Promise.all([
    getJSON(tileJSONURL(id, { date: state.date })),
    getJSON(tileJSONURL(id, { date: state.date, format: 'mvt' })),
    getJSON(tileJSONURL('base', {})),
  ]);
  if (seq !== applySeq) return;
  const size = mapA.getSize();
  const images = staticImageURLs(ROOT, id, { lng: c.lng, lat: c.lat, zoom: mapA.getZoom() }, { w: size.x, h: size.y }, { date: state.date });
  const sameScenario = state.compare && state.scenario2 === state.scenario;
  const csv = state.scenario
    ? `${ROOT}/api/scenarios/${encodeURIComponent(state.scenario)}.csv?date=${state.date}`
    : `${ROOT}/api/change.csv?from=${sameScenario && state.date2 ? [state.date, state.date2].sort().join('&to=') : `${state.date}&to=${state.date}`}`;
  // Comparing the line on two dates: the change between them has its own image.
  const changeDates = state.compare && !state.scenario && !state.scenario2 && state.date2 && state.date2 !== state.date
    ? [state.date, state.date2].sort() : null;
  const changeImages = changeDates
    ? staticImageURLs(ROOT, 'diff', { lng: c.lng, lat: c.lat, zoom: mapA.getZoom() }, { w: size.x, h: size.y }, { from: changeDates[0], to: changeDates[1] })
    : null;
  const title = `Frontline map: ${sideName({ scenario: state.scenario })}, ${formatDate(state.date)}`;
  ui.shareBody.replaceChildren(
    shareField('share-permalink', 'Permalink', permalink, { link: true }),
    shareField('share-iframe', 'Embed code (iframe)', iframeCode(embed, title), { multiline: true }),
    shareField('share-raster', 'Raster tiles (PNG, Leaflet template, {r} = @2x)', raster.tiles[0]),
    shareField('share-vector', 'Vector tiles (Mapbox Vector Tile)', vector.tiles[0]),
    shareField('share-base', 'Base map tiles (PNG)', baseRaster.tiles[0]),
    shareField('share-png', 'Static image (PNG, this view, @2x)', images.png, { link: true }),
    shareField('share-svg', 'Static image (SVG, editable)', images.svg, { link: true }),
    shareField('share-social', 'Social card (1200×630 PNG)', images.social, { link: true }),
    ...(changeImages ? [shareField('share-change-png', `Static image of the change, ${changeDates.join(' to ')} (PNG)`, changeImages.png, { link: true })] : []),
    shareField('share-csv', 'Figures (CSV)', csv, { link: true }),
  );
}

ui.shareOpen.addEventListener('click', async () => {
  ui.share.showModal();
  ui.shareBody.replaceChildren(h('p', 'muted', 'Loading…'));
  try {
    await renderShare();
  } catch (err) {
    ui.shareBody.replaceChildren(h('p', 'error', `Could not build the links. ${err.message}`));
  }
});

// --- controls --------------------------------------------------------------------

function fillScenarioSelect(select) {
  for (const sc of catalogue.scenarios) {
    const o = h('option', '', sc.title);
    o.value = sc.id;
    select.append(o);
  }
}

let sliderTimer = 0;
ui.slider.addEventListener('input', () => {
  // Show the date under the thumb at once; load tiles and figures when the slider settles.
  const d = catalogue.dates[Number(ui.slider.value)];
  renderSnapshot(d);
  ui.slider.setAttribute('aria-valuetext', formatDate(d.date));
  clearTimeout(sliderTimer);
  sliderTimer = setTimeout(() => update({ date: d.date }), SLIDER_DEBOUNCE_MS);
});
const stepDate = (delta) => {
  const i = catalogue.dates.findIndex((d) => d.date === state.date) + delta;
  if (i >= 0 && i < catalogue.dates.length) update({ date: catalogue.dates[i].date });
};
ui.prev.addEventListener('click', () => stepDate(-1));
ui.next.addEventListener('click', () => stepDate(1));
ui.scenario.addEventListener('change', () => update({ scenario: ui.scenario.value }));
for (const box of ui.layerBoxes) {
  box.addEventListener('change', () => {
    const layers = new Set(state.layers);
    if (box.checked) layers.add(box.value);
    else layers.delete(box.value);
    update({ layers });
  });
}
for (const radio of document.querySelectorAll('input[name="compare"]')) {
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    const change = { compare: radio.value };
    if (radio.value && !state.date2) Object.assign(change, defaultSideB());
    update(change);
  });
}
ui.scenario2.addEventListener('change', () => update({ scenario2: ui.scenario2.value }));
ui.date2.addEventListener('change', () => update({ date2: ui.date2.value }));
ui.oblastDetails.addEventListener('toggle', () => {
  if (ui.oblastDetails.open !== state.oblasts) {
    state.oblasts = ui.oblastDetails.open;
    writeURL();
  }
});
mapA.on('moveend', () => MODE !== 'pmtiles' && applySeq > 0 && writeURL());
NARROW.addEventListener('change', () => state.compare === 'swipe' && apply());

/**
 * Side B when comparison starts: a scenario against today's line (the latest date),
 * the line of control against the previous date, or with one date the first scenario.
 */
function defaultSideB() {
  const latest = catalogue.dates.at(-1).date;
  if (state.scenario) return { scenario2: '', date2: latest };
  const prev = previousDate(state.date);
  if (prev) return { scenario2: '', date2: prev };
  return { scenario2: catalogue.scenarios[0]?.id ?? '', date2: state.date };
}

// --- start -------------------------------------------------------------------------

/** Reads the dates and scenarios from the API into catalogue and the pickers; returns /api/dates. */
async function loadCatalogue() {
  const [dates, scenarios] = await Promise.all([getJSON(`${ROOT}/api/dates`), getJSON(`${ROOT}/api/scenarios`)]);
  catalogue.dates = dates.dates ?? [];
  catalogue.scenarios = scenarios.scenarios ?? [];
  catalogue.byDate = new Map(catalogue.dates.map((d) => [d.date, d]));
  catalogue.byScenario = new Map(catalogue.scenarios.map((sc) => [sc.id, sc]));
  for (const select of [ui.scenario, ui.scenario2]) {
    select.replaceChildren(select.options[0]);
    fillScenarioSelect(select);
  }
  ui.date2.replaceChildren(...catalogue.dates.map((d) => {
    const o = h('option', '', formatDate(d.date, shortDate) + (d.approximate ? ' (approximate)' : ''));
    o.value = d.date;
    return o;
  }));
  if (catalogue.dates.length) {
    ui.first.textContent = formatDate(catalogue.dates[0].date, shortDate);
    ui.last.textContent = formatDate(catalogue.dates.at(-1).date, shortDate);
  }
  return dates;
}

/**
 * Tile URLs name their data revision, and after an import the server answers tiles of
 * an older revision that it no longer holds with 404 ("fetch the TileJSON again"): a
 * failed tile makes the viewer read the catalogue and the TileJSON anew, at most once
 * in 10 s, so a page left open (an embed) follows new data.
 */
let lastRefresh = 0;
async function refreshAfterTileError() {
  if (MODE === 'pmtiles' || Date.now() - lastRefresh < 10_000) return;
  lastRefresh = Date.now();
  jsonCache.clear();
  try {
    await loadCatalogue();
    if (!catalogue.byDate.has(state.date)) state.date = catalogue.dates.at(-1).date;
    if (state.compare && !catalogue.byDate.has(state.date2)) state.date2 = state.date;
    await apply();
  } catch (err) {
    showError(`Could not refresh the map data. ${err.message}`);
  }
}

async function startServerMode() {
  // The base map needs no choice: start its tiles while the catalogue loads.
  getJSON(tileJSONURL('base', {})).then((tj) => {
    if (state.layers.has('base') && applySeq === 0) setSlot(mapA, 'base', tj, 1);
  }).catch(() => {}); // apply() reports it
  const dates = await loadCatalogue();
  if (catalogue.dates.length === 0) {
    ui.label.textContent = 'No data';
    showError('The server has no control snapshots yet. Import one with "frontline import control".');
    document.body.dataset.state = 'error';
    return;
  }

  const notes = [];
  const wanted = { ...state };
  const latest = catalogue.byDate.has(dates.latest) ? dates.latest : catalogue.dates.at(-1).date;
  if (!catalogue.byDate.has(state.date)) state.date = latest;
  if (state.scenario && !catalogue.byScenario.has(state.scenario)) {
    notes.push(`No scenario "${state.scenario}"; showing the line of control.`);
    state.scenario = '';
  }
  if (state.compare) {
    if (!catalogue.byDate.has(state.date2)) state.date2 = defaultSideB().date2;
    if (state.scenario2 && !catalogue.byScenario.has(state.scenario2)) state.scenario2 = '';
  }
  if (wanted.date && wanted.date !== state.date) notes.push(`No line for ${wanted.date}; showing ${formatDate(state.date)}.`);
  if (!wanted.date && new URLSearchParams(location.search).has('date')) notes.push(`Ignored the malformed date; showing ${formatDate(state.date)}.`);
  await apply();
  if (notes.length) showError(notes.join(' '));
}

/** Static hosting: raster PMTiles archives, bottom layer first; no Frontline API. */
async function startPMTilesMode() {
  await loadScript(new URL('vendor/pmtiles/pmtiles.js', location.href).href);
  // Whole zooms only: an archive holds 256 px tiles of one size, and scaled tiles show seams.
  mapA.options.zoomSnap = 1;
  mapA.options.zoomDelta = 1;
  if (startView) mapA.setView(startView.center, Math.round(startView.zoom), { animate: false });
  else mapA.fitBounds(FOUR_OBLASTS, { animate: false });
  const pm = window.pmtiles;
  let meta = {};
  for (const [i, given] of PMTILES.entries()) {
    // "{r}" in a name picks the @2x archive on high-DPI screens, like the tile templates;
    // its 512 px tiles are drawn into 256 CSS px.
    const url = given.replace('{r}', L.Browser.retina ? '@2x' : '');
    const archive = new pm.PMTiles(new URL(url, location.href).href);
    const header = await archive.getHeader();
    if (header.tileType !== pm.TileType.Png && header.tileType !== pm.TileType.Jpeg && header.tileType !== pm.TileType.Webp) {
      throw new Error(`${url} holds ${header.tileType === pm.TileType.Mvt ? 'vector (MVT)' : `type ${header.tileType}`} tiles; this page draws raster (PNG) archives`);
    }
    const m = await archive.getMetadata().catch(() => ({}));
    meta = { ...meta, ...m };
    const layer = pm.leafletRasterLayer(archive, {
      zIndex: i + 1,
      className: `fl-tiles fl-pmtiles-${i}`,
      maxNativeZoom: header.maxZoom,
      minNativeZoom: header.minZoom,
      maxZoom: mapOptions.maxZoom,
    });
    attribute(layer, m.attribution || `PMTiles archive ${url}`);
    trackTiles(layer);
    layer.addTo(mapA);
  }
  const date = meta.date || meta.as_of;
  ui.label.textContent = date ? formatDate(date) : (meta.name || 'Static archive');
  ui.badge.hidden = !(meta.approximate === true || meta.approximate === 'true');
  ui.source.textContent = meta.source || meta.attribution || 'see the map attribution';
  ui.embedTitle.textContent = meta.name || meta.description || '';
  mapA.on('moveend', () => {
    const c = mapA.getCenter();
    history.replaceState(null, '', `${location.pathname}${location.search}#${hashOfView(mapA.getZoom(), c.lat, c.lng)}`);
  });
  document.body.dataset.state = 'ready';
}

(MODE === 'pmtiles' ? startPMTilesMode() : startServerMode()).catch((err) => {
  ui.label.textContent = 'Unavailable';
  showError(`Could not load the map data. ${err.message}`);
  document.body.dataset.state = 'error';
});
