// The viewer's state as it lives in the URL, and the links built from it.
// Pure functions of their arguments (no DOM, no fetch), so that a permalink,
// an embed and the share dialog all come from one place.
//
// Query keys (defaults are left out of the URL):
//   scenario=ID     scenario drawn on side A ("" = the line of control alone)
//   date=D          date of side A's line (default: the latest)
//   layers=a,b      visible layers among base, overlay, diff (default base,overlay)
//   compare=M       swipe | twin (default: no comparison)
//   scenario2=ID    side B's scenario ("" = the line of control alone)
//   date2=D         side B's date
//   oblasts=1       the per-oblast table is open
// The map view is the hash: #zoom/lat/lng.

export const LAYERS = ['base', 'overlay', 'diff'];
export const DEFAULT_LAYERS = ['base', 'overlay'];
export const COMPARE_MODES = ['swipe', 'twin'];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Reads the state from a query string; unknown or malformed values fall back to defaults. */
export function parseState(search) {
  const q = new URLSearchParams(search);
  const id = (key) => (ID_RE.test(q.get(key) ?? '') ? q.get(key) : '');
  const date = (key) => (DATE_RE.test(q.get(key) ?? '') ? q.get(key) : '');
  let layers = DEFAULT_LAYERS;
  if (q.has('layers')) layers = q.get('layers').split(',').filter((l) => LAYERS.includes(l));
  const compare = COMPARE_MODES.includes(q.get('compare')) ? q.get('compare') : '';
  return {
    scenario: id('scenario'),
    date: date('date'),
    layers: new Set(layers),
    compare,
    scenario2: id('scenario2'),
    date2: date('date2'),
    oblasts: q.get('oblasts') === '1',
  };
}

/** Writes the state as a query string (without "?"), keys in a fixed order. */
export function stateQuery(state) {
  const q = new URLSearchParams();
  if (state.scenario) q.set('scenario', state.scenario);
  if (state.date) q.set('date', state.date);
  const layers = LAYERS.filter((l) => state.layers.has(l));
  if (layers.join(',') !== DEFAULT_LAYERS.join(',')) q.set('layers', layers.join(','));
  if (state.compare) {
    q.set('compare', state.compare);
    if (state.scenario2) q.set('scenario2', state.scenario2);
    if (state.date2) q.set('date2', state.date2);
  }
  if (state.oblasts) q.set('oblasts', '1');
  // Commas stay readable: no value the state holds can contain an escape.
  return q.toString().replace(/%2C/g, ',');
}

/** Parses "#zoom/lat/lng" into {zoom, center: [lat, lng]}, or null. */
export function viewFromHash(hash) {
  const parts = String(hash).replace(/^#/, '').split('/').map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return null;
  const [zoom, lat, lng] = parts;
  if (Math.abs(lat) > 85 || Math.abs(lng) > 180 || zoom < 0 || zoom > 22) return null;
  return { zoom, center: [lat, lng] };
}

/** Formats a map view as the hash "zoom/lat/lng" (without "#"). */
export function hashOfView(zoom, lat, lng) {
  return `${Number(zoom.toFixed(2))}/${lat.toFixed(4)}/${lng.toFixed(4)}`;
}

/** The tileset id drawing a scenario, or the line of control for "". */
export const overlayId = (scenario) => (scenario ? `scenario-${scenario}` : 'control');

/**
 * Static image links (the Mapbox Static Images convention the server follows):
 * /static/{style}/{lon},{lat},{zoom}/{w}x{h}@2x.png, the same as .svg, and the
 * 1200x630 social preset /static/{style}/auto/social.png. query holds date= or from=&to=.
 */
export function staticImageURLs(origin, style, view, size, query) {
  const w = Math.max(1, Math.min(1280, Math.round(size.w)));
  const h = Math.max(1, Math.min(1280, Math.round(size.h)));
  const at = `${view.lng.toFixed(4)},${view.lat.toFixed(4)},${Number(view.zoom.toFixed(2))}`;
  const qs = new URLSearchParams(query).toString();
  const tail = qs ? `?${qs}` : '';
  const base = `${origin}/static/${encodeURIComponent(style)}`;
  return {
    png: `${base}/${at}/${w}x${h}@2x.png${tail}`,
    svg: `${base}/${at}/${w}x${h}.svg${tail}`,
    social: `${base}/auto/social.png${tail}`,
  };
}

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML, in element content and in quoted attribute values alike. */
export const escapeHTML = (s) => String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]);

/**
 * HTML for an iframe embedding src, as wide as its container. No style attribute:
 * a parent page with a strict Content-Security-Policy would block it (frameborder
 * removes the border instead).
 */
export function iframeCode(src, title) {
  return `<iframe src="${escapeHTML(src)}" title="${escapeHTML(title)}" width="100%" height="480" ` +
    'frameborder="0" loading="lazy" allowfullscreen></iframe>';
}

/** Fills a Leaflet/TileJSON template for one tile; retina picks "@2x" for {r}. */
export function fillTemplate(template, z, x, y, retina = false) {
  return template.replace('{z}', z).replace('{x}', x).replace('{y}', y).replace('{r}', retina ? '@2x' : '');
}

const km2Format = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** Formats square kilometres for display: "6,551 km²"; tiny nonzero values show as "<1 km²". */
export function formatKm2(value) {
  if (value > 0 && value < 0.5) return '<1 km²';
  return `${km2Format.format(value)} km²`;
}
