// The dashboard page: polls the server's JSON, fills two tables and draws the reports' Vega-Lite
// specs with vega-embed (loaded before this module). Plain DOM: text goes in as text, never HTML.
const POLL_MS = 1500;
const vegaEmbed = window.vegaEmbed;

const state = {
  selected: decodeURIComponent(new URLSearchParams(location.hash.slice(1)).get('sweep') ?? '') || null,
  /** Status and stored count when the figures and results were last drawn (redraw when they move). */
  drawnAt: null,
  drawing: false,
  /** When the last draw ended and how long it took (ms): a slow one is not repeated at once. */
  drawEnd: 0,
  drawMs: 0,
  /** A draw was asked for while one ran (a new view): run it after. */
  again: false,
  views: [],
};

const $ = (id) => document.getElementById(id);

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function link(text, href) {
  const a = el('a', text, { href });
  a.addEventListener('click', (ev) => ev.stopPropagation());
  return a;
}

function num(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

/** `a=1, b=2` -> ['a=1', 'b=2']. */
function items(text) {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function whereQuery() {
  const q = new URLSearchParams();
  for (const w of items($('where').value)) q.append('where', w);
  return q;
}

function viewQuery() {
  const q = new URLSearchParams();
  if ($('x').value) q.set('x', $('x').value);
  for (const s of items($('slice').value)) q.append('slice', s);
  for (const a of items($('aggregate').value)) q.append('aggregate', a);
  return q;
}

async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `${res.status}`);
  return body;
}

function sweepRow(s) {
  const tr = el('tr', undefined, { 'data-sweep': s.id, 'data-status': s.status, 'data-done': s.doneCells });
  if (s.id === state.selected) tr.classList.add('selected');
  tr.append(el('td', s.id), el('td', s.name ?? ''), el('td', s.kind));
  tr.append(el('td', s.status, { class: `status-${s.status}` }));
  const progress = el('td', undefined, { class: 'progress' });
  const bar = el('span', undefined, { class: 'bar' });
  const fill = el('span');
  fill.style.width = `${s.totalCells ? (100 * s.doneCells) / s.totalCells : 0}%`;
  bar.append(fill);
  progress.append(bar, el('span', `${s.doneCells} / ${s.totalCells}`, { class: 'done' }));
  tr.append(progress);
  tr.append(el('td', s.failedCells, { class: 'num failed' }));
  tr.append(el('td', s.cellsPerSecond ? s.cellsPerSecond.toFixed(1) : '–', { class: 'num rate' }));
  tr.append(
    el('td', s.workers.length ? `${s.workers.length}: ${s.workers.join(', ')}` : '–', { class: 'workers' }),
  );
  const links = el('td');
  if (s.workflowUrl) links.append(link('Temporal', s.workflowUrl), ' ');
  links.append(link('CSV', `/api/sweeps/${encodeURIComponent(s.id)}/results.csv`), ' ');
  links.append(link('Parquet', `/api/sweeps/${encodeURIComponent(s.id)}/results.parquet`));
  tr.append(links);
  tr.addEventListener('click', () => select(s.id));
  return tr;
}

async function refreshSweeps() {
  const sweeps = await getJson('/api/sweeps');
  $('sweeps').tBodies[0].replaceChildren(...sweeps.map(sweepRow));
  $('no-sweeps').hidden = sweeps.length > 0;
  $('updated').textContent = new Date().toLocaleTimeString();
  const current = sweeps.find((s) => s.id === state.selected);
  if (current && `${current.status}:${current.doneCells}` !== state.drawnAt && !tooSoon(current))
    await drawDetail();
}

/**
 * A running sweep's figures are redrawn as batches land, but no sooner than four times the last
 * draw's length after it: a large sweep's draw takes seconds of the server's time per viewer.
 * A change of status (completed, say) is drawn at once.
 */
function tooSoon(current) {
  const sameStatus = state.drawnAt !== null && state.drawnAt.startsWith(`${current.status}:`);
  return sameStatus && Date.now() - state.drawEnd < 4 * state.drawMs;
}

function fillAxes(detail) {
  const x = $('x');
  const choices = detail.axes.filter((a) => a.target !== 'weights').map((a) => a.name);
  const now = [...x.options].map((o) => o.value).join(',');
  if (now !== ['', ...choices].join(',')) {
    x.replaceChildren(
      el('option', '(default)', { value: '' }),
      ...choices.map((c) => el('option', c, { value: c })),
    );
  }
}

function showError(message) {
  $('detail-error').textContent = message ?? '';
  $('detail-error').hidden = !message;
}

async function drawFigures(figures) {
  for (const v of state.views) v.finalize();
  state.views = [];
  const boxes = figures.map((f) => {
    const box = el('div', undefined, { class: 'figure', 'data-name': f.name });
    box.append(el('div', undefined, { class: 'chart' }), el('p', f.caption));
    return box;
  });
  $('figures').replaceChildren(...boxes);
  for (const [i, f] of figures.entries()) {
    // SVG: the marks are elements (hover shows a cell's certificate through the spec's tooltips).
    const r = await vegaEmbed(boxes[i].firstChild, f.spec, {
      renderer: 'svg',
      actions: { export: true, source: false, compiled: false, editor: false },
    });
    state.views.push(r);
  }
}

/** The results table's columns after the parameters: certificates, or a step-size sweep's runs. */
const OUTPUT_COLUMNS = {
  cells: [
    ['certified', (r) => (r.certified ? 'yes' : 'no')],
    ['alpha', (r) => r.alpha],
    ['beta', (r) => r.beta],
    ['eulerStep', (r) => r.eulerStep],
    ['rk4Step', (r) => r.rk4Step],
    ['alphaTrue', (r) => r.alphaTrue],
  ],
  runs: [
    ['integrator', (r) => r.integrator],
    ['multiplier', (r) => r.multiplier],
    ['step', (r) => r.step],
    ['certifiedStep', (r) => r.certifiedStep],
    ['converged', (r) => r.convergedFraction],
    ['rho', (r) => r.spectralRadius],
  ],
};

async function drawResults() {
  const id = encodeURIComponent(state.selected);
  const q = whereQuery();
  $('csv-link').href = `/api/sweeps/${id}/results.csv?${q}`;
  $('parquet-link').href = `/api/sweeps/${id}/results.parquet?${q}`;
  const { kind, total, params: axisOrder, rows } = await getJson(`/api/sweeps/${id}/results?${q}`);
  $('where').placeholder = kind === 'runs' ? 'integrator=rk4, error=any' : 'certified=true, lambda=0.5';
  // The sweep's parameters in its axes' order (a sweep whose spec lists none: its rows').
  const params = axisOrder.length ? axisOrder : Object.keys(rows[0]?.params ?? {});
  const errors = rows.some((r) => r.error !== null);
  const outputs = OUTPUT_COLUMNS[kind];
  const cols = [kind === 'runs' ? 'game' : 'cell', ...params, ...outputs.map(([name]) => name)];
  const head = el('tr');
  head.append(...[...cols, ...(errors ? ['error'] : [])].map((c) => el('th', c)));
  $('results').tHead.replaceChildren(head);
  $('results').tBodies[0].replaceChildren(
    ...rows.map((r) => {
      const tr = el('tr', undefined, { 'data-cell': r.cellIndex });
      const values = [
        r.cellIndex,
        ...params.map((p) => r.params[p]),
        ...outputs.map(([, value]) => value(r)),
      ];
      tr.append(...values.map((v, i) => el('td', num(v), { class: 'num', 'data-col': cols[i] })));
      if (errors) tr.append(el('td', r.error ?? '', { 'data-col': 'error' }));
      return tr;
    }),
  );
  $('results-count').textContent =
    `${rows.length} of ${total} matching ${kind === 'runs' ? 'runs' : 'rows'} shown`;
  $('results-count').dataset.total = total;
}

async function drawDetail() {
  if (!state.selected) return;
  if (state.drawing) {
    state.again = true;
    return;
  }
  state.drawing = true;
  state.again = false;
  const started = Date.now();
  try {
    const id = encodeURIComponent(state.selected);
    const detail = await getJson(`/api/sweeps/${id}?${viewQuery()}`);
    $('detail').hidden = false;
    fillAxes(detail);
    $('notes').replaceChildren(...detail.notes.map((n) => el('li', n)));
    await drawFigures(detail.figures);
    await drawResults();
    // The title last: once it says a count, the figures and the table show at least that many.
    $('detail-title').textContent =
      `Sweep ${detail.id}: ${detail.status}, ${detail.doneCells} / ${detail.totalCells} stored, ${detail.failedCells} failed`;
    showError(null);
    state.drawnAt = `${detail.status}:${detail.doneCells}`;
  } catch (e) {
    showError(e.message);
  } finally {
    state.drawing = false;
    state.drawEnd = Date.now();
    state.drawMs = state.drawEnd - started;
  }
  if (state.again) await drawDetail();
}

function select(id) {
  state.selected = id;
  state.drawnAt = null;
  history.replaceState(null, '', `#sweep=${encodeURIComponent(id)}`);
  for (const tr of $('sweeps').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.sweep === id);
  void drawDetail();
}

$('view-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  state.drawnAt = null;
  void drawDetail();
});

$('interval').textContent = String(POLL_MS / 1000);

async function poll() {
  try {
    await refreshSweeps();
  } catch (e) {
    $('updated').textContent = `failed (${e.message})`;
  }
  setTimeout(poll, POLL_MS);
}
void poll();
