// Frontline viewer: draws the boundaries from /api/boundaries and the Russian-held
// area for the chosen date from /api/control, with a date slider kept in the URL
// (?date=YYYY-MM-DD, and #zoom/lat/lng for the map view).
// Colours live in app.css; this file only assigns class names to the SVG paths.

const L = window.L;

/** Oblasts named in the reported proposals, emphasised and labelled on the map. */
const FOCUS_ISO = ['UA-14', 'UA-09', 'UA-23', 'UA-65'];
const BOUNDARIES_ATTRIBUTION = 'Boundaries: Natural Earth (public domain)';
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const SLIDER_DEBOUNCE_MS = 120;

const el = (id) => document.getElementById(id);
const ui = {
  map: el('map'),
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
};

const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const shortDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** Formats an ISO date (YYYY-MM-DD) for display, e.g. "15 August 2025". */
function formatDate(iso, format = longDate) {
  return format.format(new Date(`${iso}T00:00:00Z`));
}

/** Escapes text for the few Leaflet APIs that take HTML strings (attribution). */
function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Fetches JSON, turning a non-2xx answer into an Error carrying the server's message. */
async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
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
}

/** Returns [lat, lng] of the area centroid of the largest outer ring of a (Multi)Polygon. */
function labelPoint(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let best = null;
  let bestArea = 0;
  for (const [ring] of polygons) {
    let a = 0, cx = 0, cy = 0;
    for (let i = 0; i < ring.length - 1; i++) {
      const [x0, y0] = ring[i];
      const [x1, y1] = ring[i + 1];
      const cross = x0 * y1 - x1 * y0;
      a += cross;
      cx += (x0 + x1) * cross;
      cy += (y0 + y1) * cross;
    }
    if (Math.abs(a) > bestArea) {
      bestArea = Math.abs(a);
      best = [cy / (3 * a), cx / (3 * a)];
    }
  }
  return best;
}

/** Parses "#zoom/lat/lng" into a map view, or returns null. */
function viewFromHash(hash) {
  const parts = hash.replace(/^#/, '').split('/').map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return null;
  const [zoom, lat, lng] = parts;
  if (Math.abs(lat) > 85 || Math.abs(lng) > 180) return null;
  return { zoom, center: [lat, lng] };
}

// --- map ---------------------------------------------------------------------

const map = L.map(ui.map, { zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 4, maxZoom: 11 });
map.attributionControl.addAttribution(BOUNDARIES_ATTRIBUTION);
L.control.scale({ imperial: false }).addTo(map);
// Pane order: land fills, then the Russian-held area, then the emphasised borders, then labels.
for (const [name, zIndex] of [['land', 410], ['control', 420], ['focus', 430]]) {
  map.createPane(name).style.zIndex = String(zIndex);
}
const hashView = viewFromHash(location.hash);
if (hashView) map.setView(hashView.center, hashView.zoom);
else map.setView([48.4, 35.5], 6);

/** Tags a path with its ISO code once Leaflet has created its SVG element. */
function tagWithISO(feature, layer) {
  layer.on('add', () => {
    layer.getElement()?.setAttribute('data-iso', feature.properties.iso);
  });
}

function drawBoundaries(collection) {
  const byKind = (kind) => collection.features.filter((f) => f.properties.kind === kind);
  const units = byKind('admin1');
  const focus = units.filter((f) => FOCUS_ISO.includes(f.properties.iso));

  L.geoJSON(byKind('country'), { pane: 'land', className: 'fl-country', interactive: false, onEachFeature: tagWithISO }).addTo(map);
  L.geoJSON(units, {
    pane: 'land',
    className: 'fl-unit',
    onEachFeature(feature, layer) {
      tagWithISO(feature, layer);
      const tip = document.createElement('div');
      const name = tip.appendChild(document.createElement('strong'));
      name.textContent = feature.properties.name_en;
      if (feature.properties.name_uk) {
        const uk = tip.appendChild(document.createElement('div'));
        uk.className = 'uk';
        uk.textContent = feature.properties.name_uk;
      }
      layer.bindTooltip(tip, { sticky: true, className: 'fl-tip', direction: 'top', offset: [0, -8] });
    },
  }).addTo(map);
  const focusLayer = L.geoJSON(focus, { pane: 'focus', className: 'fl-focus', interactive: false, onEachFeature: tagWithISO }).addTo(map);

  for (const feature of focus) {
    const text = document.createElement('span');
    text.textContent = feature.properties.name_en;
    L.marker(labelPoint(feature.geometry), {
      icon: L.divIcon({ className: 'fl-label', html: text, iconSize: null }),
      interactive: false,
      keyboard: false,
    }).addTo(map);
  }
  return focusLayer.getBounds();
}

const controlLayer = L.geoJSON(null, { pane: 'control', className: 'fl-control', interactive: false }).addTo(map);

// --- dates -------------------------------------------------------------------

const state = {
  dates: [], // [{date, source, approximate, note}], ascending
  index: -1,
  request: 0, // sequence number of the latest control request; older answers are dropped
  attribution: null,
  cache: new Map(), // date -> control FeatureCollection
};

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = !message;
}

function writeURL() {
  const url = new URL(location.href);
  const entry = state.dates[state.index];
  if (entry) url.searchParams.set('date', entry.date);
  const c = map.getCenter();
  url.hash = `${Number(map.getZoom().toFixed(2))}/${c.lat.toFixed(4)}/${c.lng.toFixed(4)}`;
  history.replaceState(null, '', url);
}

/** Updates the date control for snapshot metadata (from /api/dates or /api/control). */
function renderSnapshot(meta) {
  ui.label.textContent = formatDate(meta.date);
  ui.badge.hidden = !meta.approximate;
  ui.source.textContent = meta.source || 'not stated';
  ui.note.textContent = meta.note || '';
  ui.note.hidden = !meta.note;
}

function renderControls() {
  const n = state.dates.length;
  const i = state.index;
  ui.slider.max = String(Math.max(0, n - 1));
  ui.slider.value = String(i);
  ui.slider.disabled = n < 2;
  ui.slider.setAttribute('aria-valuetext', formatDate(state.dates[i].date));
  ui.prev.disabled = i <= 0;
  ui.next.disabled = i >= n - 1;
}

function setAttribution(source) {
  if (state.attribution) map.attributionControl.removeAttribution(state.attribution);
  state.attribution = source ? `Russian-held area: ${escapeHTML(source)}` : null;
  if (state.attribution) map.attributionControl.addAttribution(state.attribution);
}

/** Selects snapshot i: updates the controls at once, then loads and draws its control area. */
async function selectDate(i) {
  state.index = i;
  const entry = state.dates[i];
  renderControls();
  renderSnapshot(entry);
  document.title = `Frontline: ${formatDate(entry.date)}`;
  writeURL();

  const request = ++state.request;
  ui.map.setAttribute('aria-busy', 'true');
  try {
    let collection = state.cache.get(entry.date);
    if (!collection) {
      collection = await getJSON(`api/control?date=${encodeURIComponent(entry.date)}`);
      state.cache.set(entry.date, collection);
    }
    if (request !== state.request) return;
    controlLayer.clearLayers();
    controlLayer.addData(collection);
    const meta = { ...entry, ...(collection.features[0]?.properties ?? {}) };
    renderSnapshot(meta);
    setAttribution(meta.source);
    showError('');
    ui.map.dataset.controlDate = entry.date;
    document.body.dataset.state = 'ready';
  } catch (err) {
    if (request !== state.request) return;
    controlLayer.clearLayers();
    delete ui.map.dataset.controlDate;
    showError(`Could not load the line for ${formatDate(entry.date)}. ${err.message}`);
    document.body.dataset.state = 'error';
  } finally {
    if (request === state.request) ui.map.removeAttribute('aria-busy');
  }
}

let sliderTimer = 0;
ui.slider.addEventListener('input', () => {
  // Show the date under the thumb at once; load the geometry when the slider settles.
  const i = Number(ui.slider.value);
  renderSnapshot(state.dates[i]);
  ui.slider.setAttribute('aria-valuetext', formatDate(state.dates[i].date));
  clearTimeout(sliderTimer);
  sliderTimer = setTimeout(() => selectDate(i), SLIDER_DEBOUNCE_MS);
});
ui.prev.addEventListener('click', () => state.index > 0 && selectDate(state.index - 1));
ui.next.addEventListener('click', () => state.index < state.dates.length - 1 && selectDate(state.index + 1));
map.on('moveend', () => state.index >= 0 && writeURL());

// --- start -------------------------------------------------------------------

async function start() {
  const [boundaries, catalogue] = await Promise.all([getJSON('api/boundaries'), getJSON('api/dates')]);
  const focusBounds = drawBoundaries(boundaries);
  if (!hashView && focusBounds.isValid()) map.fitBounds(focusBounds, { padding: [16, 16], animate: false });

  state.dates = catalogue.dates ?? [];
  if (state.dates.length === 0) {
    ui.label.textContent = 'No data';
    showError('The server has no control snapshots yet. Import one with "frontline import control".');
    document.body.dataset.state = 'error';
    return;
  }
  ui.first.textContent = formatDate(state.dates[0].date, shortDate);
  ui.last.textContent = formatDate(state.dates.at(-1).date, shortDate);

  const wanted = new URL(location.href).searchParams.get('date');
  let i = state.dates.findIndex((d) => d.date === wanted);
  if (i < 0) {
    i = state.dates.findIndex((d) => d.date === catalogue.latest);
    if (i < 0) i = state.dates.length - 1;
  }
  await selectDate(i);
  if (wanted && state.dates[i].date !== wanted) {
    const shown = formatDate(state.dates[i].date);
    showError(DATE_RE.test(wanted) ? `No line for ${wanted}; showing ${shown}.` : `Ignored the malformed date "${wanted}"; showing ${shown}.`);
  }
}

start().catch((err) => {
  ui.label.textContent = 'Unavailable';
  showError(`Could not load the map data. ${err.message}`);
  document.body.dataset.state = 'error';
});
