// The playground: live preview of what a Telegraf [[outputs.librato]] config sends.
import { render, parse, loadConfig, LibratoOutput } from '/pkg/browser.js';
import { SAMPLE_METRICS } from './samples.js';
import { encodeState, decodeState, stripCredentials } from './share.js';

const $ = (id) => document.getElementById(id);
const MAX_ROWS = 500;
const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};

const state = { plan: null, config: null, configError: null };

function options() {
  const o = { format: $('format').value, explain: true, defaultTime: BigInt(Date.now()) * 1_000_000n };
  if ($('precision').value) o.precision = $('precision').value;
  return o;
}

function gutter(textarea, gutterEl, badLines = new Map()) {
  const n = textarea.value.split('\n').length;
  const frag = document.createDocumentFragment();
  for (let i = 1; i <= n; i++) {
    if (badLines.has(i)) frag.append(el('span', { class: 'bad', title: badLines.get(i) }, String(i)));
    else frag.append(String(i));
    frag.append('\n');
  }
  gutterEl.replaceChildren(frag);
  gutterEl.scrollTop = textarea.scrollTop;
}

/** Puts the caret (and the view) on a 1-based line and column of an editor. */
function goTo(textarea, line, column = 1) {
  const lines = textarea.value.split('\n');
  let pos = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
  const end = pos + (lines[line - 1]?.length ?? 0);
  textarea.focus();
  textarea.setSelectionRange(pos + Math.max(0, column - 1), end);
  textarea.scrollTop = Math.max(0, (line - 3) * 18);
}

function lineLink(line, textarea) {
  return el('a', { href: `#line-${line}`, class: 'line', onclick: (e) => { e.preventDefault(); goTo(textarea, line); selectLine(line); } }, `line ${line}`);
}

function update() {
  const configText = $('config').value;
  const metricsText = $('metrics').value;
  const problems = [];
  const warnings = [];
  const configBad = new Map();
  const metricsBad = new Map();
  state.configError = null;
  let plan = null;
  try {
    state.config = loadConfig(configText)[0] ?? null;
    if (!state.config) throw Object.assign(new Error('the config has no [[outputs.librato]] table'), { code: 'invalid_config' });
    plan = render(metricsText, state.config, options());
    warnings.push(...(state.config.warnings ?? []));
    $('config-status').textContent = `OK: template "${state.config.template}", batch size ${state.config.batch_size}`;
    $('config-status').className = 'status';
  } catch (e) {
    state.configError = e;
    if (e.line) configBad.set(e.line, e.message);
    $('config-status').textContent = e.message;
    $('config-status').className = 'status bad';
    problems.push(el('div', { class: 'problem' }, 'Config: ', e.line ? el('a', { href: '#', class: 'line', onclick: (ev) => { ev.preventDefault(); goTo($('config'), e.line, e.column); } }, `line ${e.line}, column ${e.column}`) : '', e.line ? ': ' : '', e.message));
  }
  state.plan = plan;
  gutter($('config'), $('config-gutter'), configBad);
  if (plan) {
    for (const err of plan.errors) {
      metricsBad.set(err.line, err.message);
      problems.push(el('div', { class: 'problem' }, lineLink(err.line, $('metrics')), `, column ${err.column}: ${err.message}`));
    }
    $('metrics-status').textContent = plan.errors.length ? `${plan.errors.length} line(s) could not be parsed; the others are used` : '';
    $('metrics-status').className = plan.errors.length ? 'status bad' : 'status';
  }
  for (const w of warnings) problems.push(el('div', { class: 'warning' }, `Warning: ${w}`));
  $('problems').replaceChildren(...problems);
  gutter($('metrics'), $('metrics-gutter'), metricsBad);
  showPlan(plan);
  explain();
  // Lets tests (and anyone curious) see that the output caught up with the editors.
  document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
}

function showPlan(plan) {
  const tbody = $('gauges').tBodies[0];
  if (!plan) {
    $('summary').textContent = 'Fix the config to see what would be sent.';
    tbody.replaceChildren();
    $('requests').replaceChildren();
    $('skipped').replaceChildren();
    for (const id of ['gauge-count', 'skipped-count', 'request-count', 'gauges-more']) $(id).textContent = '';
    return;
  }
  const n = plan.requests.length;
  $('summary').replaceChildren(
    el('span', { class: plan.errors.length ? '' : 'ok' }, `${plan.gauges} gauges in ${n} request${n === 1 ? '' : 's'}`),
    `, ${plan.skipped.length} skipped, ${plan.errors.length} line error${plan.errors.length === 1 ? '' : 's'}`,
  );
  $('gauge-count').textContent = `(${plan.gauges})`;
  $('skipped-count').textContent = `(${plan.skipped.length})`;
  $('request-count').textContent = `(${n})`;

  // Gauges: parsed back from the bodies, with the input line each came from.
  const rows = [];
  let i = 0;
  for (const r of plan.requests) {
    for (const g of JSON.parse(r.body).gauges) {
      if (rows.length < MAX_ROWS) {
        const line = plan.gaugeLines?.[i];
        const when = new Date(g.measure_time * 1000).toISOString().replace('.000Z', 'Z');
        rows.push(el('tr', { 'data-line': String(line), onclick: () => selectLine(line) },
          el('td', {}, g.name), el('td', {}, g.source), el('td', {}, String(g.value)),
          el('td', {}, String(g.measure_time), el('span', { class: 'when' }, when)),
          el('td', {}, line ? lineLink(line, $('metrics')) : '')));
      }
      i++;
    }
  }
  tbody.replaceChildren(...rows);
  $('gauges-more').textContent = plan.gauges > MAX_ROWS ? `Showing the first ${MAX_ROWS} of ${plan.gauges} gauges.` : '';

  $('skipped').replaceChildren(...plan.skipped.slice(0, MAX_ROWS).map((s) => el('li', {},
    s.line ? lineLink(s.line, $('metrics')) : 'no line', ': ',
    el('span', { class: 'mono' }, s.field ? `${s.metric} / ${s.field}` : s.metric), ' ',
    el('span', { class: 'reason' }, s.reason), ` ${s.message}`)));

  $('requests').replaceChildren(...plan.requests.map((r, k) => {
    const pretty = JSON.stringify(JSON.parse(r.body), null, 2);
    const headers = { ...r.headers, Authorization: 'Basic ••••••••  (added when sending: api_user:api_token)' };
    return el('div', { class: 'request' },
      el('div', { class: 'mono' }, `#${k + 1}  ${r.method} ${r.url}`),
      el('div', { class: 'mono note' }, Object.entries(headers).map(([h, v]) => `${h}: ${v}`).join('\n')),
      el('div', { class: 'note' }, `${r.count} gauges, ${new TextEncoder().encode(r.body).length} bytes`),
      el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'small', onclick: () => copy(r.body) }, 'Copy body'),
        el('button', { type: 'button', class: 'small', onclick: () => copy(curl(r)) }, 'Copy as curl')),
      el('pre', {}, pretty));
  }));
}

function curl(r) {
  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  return `curl -X POST ${q(r.url)} -u "$LIBRATO_USER:$LIBRATO_TOKEN" -H 'Content-Type: application/json' --data-binary ${q(r.body)}`;
}

async function copy(text) {
  try { await navigator.clipboard.writeText(text); } catch { /* not allowed here: nothing to do */ }
  $('summary').dataset.copied = text.length;
}

function selectLine(line) {
  if (!line) return;
  $('explain-line').value = String(line);
  for (const tr of $('gauges').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.line === String(line));
  explain();
}

function explain() {
  const list = $('explain');
  const line = Number($('explain-line').value);
  if (!state.config || !line) return list.replaceChildren();
  if ($('format').value !== 'influx') {
    return list.replaceChildren(el('li', {}, 'Pick line protocol to see how a source is built line by line.'));
  }
  // The steps come from the renderer itself (plan.sources), never re-derived here.
  const found = state.plan?.sources?.find((s) => s.line === line);
  if (!found) {
    const why = state.plan?.skipped?.find((s) => s.line === line && s.reason === 'filtered');
    return list.replaceChildren(el('li', {}, why ? `Line ${line}: ${why.message}.` : `Line ${line} holds no metric that reaches the template.`));
  }
  const skipped = state.plan.skipped.find((s) => s.line === line && !s.field);
  const source = found.source ?? '(none: the metric is skipped)';
  list.replaceChildren(
    ...found.steps.map((s) => el('li', {}, el('span', { class: 'mono' }, s.part), ` → ${s.what}`)),
    el('li', {}, el('strong', {}, 'source: '), el('span', { class: 'mono', id: 'explain-source' }, skipped && found.source ? `${source} (skipped: ${skipped.reason})` : source)));
}

async function share() {
  const fragment = await encodeState({
    config: $('config').value, metrics: $('metrics').value, format: $('format').value, precision: $('precision').value,
  });
  const link = `${location.origin}${location.pathname}#${fragment}`;
  $('share-link').value = link;
  history.replaceState(null, '', `#${fragment}`);
  copy(link);
}

async function send(ev) {
  ev.preventDefault();
  const report = $('report');
  report.className = 'report';
  report.textContent = 'Sending…';
  try {
    const config = { ...state.config, api_url: $('send-url').value };
    if ($('send-user').value) config.api_user = $('send-user').value;
    if ($('send-token').value) config.api_token = $('send-token').value;
    const out = new LibratoOutput(config, {});
    const r = await out.write($('metrics').value, options());
    report.className = `report ${r.ok ? 'ok' : 'bad'}`;
    const lines = [`ok: ${r.ok}`, `sent: ${r.sent} gauges in ${r.requests} request(s), ${r.attempts} attempt(s)`];
    for (const f of r.failed) lines.push(`failed: ${f.count} gauges, status ${f.status ?? '-'}, ${f.attempts} attempt(s): ${f.message}`);
    if (r.rateLimit?.std) lines.push(`rate limit: ${JSON.stringify(r.rateLimit.std)}`);
    report.textContent = lines.join('\n');
  } catch (e) {
    report.className = 'report bad';
    report.textContent = `${e.code ? `[${e.code}] ` : ''}${e.message}`;
  }
}

let pending = 0;
function schedule() {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(update);
}

async function start() {
  $('config').value = await (await fetch('telegraf-librato.conf')).text();
  $('metrics').value = SAMPLE_METRICS;
  try {
    const restored = await decodeState(location.hash);
    if (restored) {
      $('config').value = restored.config ?? '';
      $('metrics').value = restored.metrics ?? '';
      $('format').value = restored.format || 'influx';
      $('precision').value = restored.precision || '';
    }
  } catch { /* a broken link: keep the samples */ }
  let apiUrl = null;
  try { apiUrl = (await (await fetch('config.json')).json()).apiUrl; } catch { /* served elsewhere */ }
  $('send-url').value = apiUrl ?? 'http://127.0.0.1:8071/v1/metrics';
  for (const id of ['config', 'metrics']) {
    $(id).addEventListener('input', schedule);
    $(id).addEventListener('scroll', () => { $(`${id}-gutter`).scrollTop = $(id).scrollTop; });
  }
  for (const id of ['format', 'precision']) $(id).addEventListener('change', update);
  $('explain-line').addEventListener('input', explain);
  $('share').addEventListener('click', share);
  $('send-form').addEventListener('submit', send);
  update();
  document.body.dataset.ready = 'true';
}

export { stripCredentials };
start();
