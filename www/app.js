// The playground: live preview of what a Telegraf [[outputs.librato]] config sends. Every rule
// and explanation comes from the package; this file only reads the editors and draws.
import { render, loadConfig, redactConfig, LibratoOutput } from '/pkg/browser.js';
import { SAMPLE_METRICS } from './samples.js';
import { encodeState, decodeState } from './share.js';

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

const DEFAULT_URLS = {
  metrics: 'https://metrics-api.librato.com/v1/metrics',
  measurements: 'https://metrics-api.librato.com/v1/measurements',
};

/** The config as loaded, with the API switch applied (an api_url left at its default follows). */
function effectiveConfig(loaded) {
  const api = $('api').value;
  if (!loaded || !api || api === loaded.api) return loaded;
  const config = { ...loaded, api };
  if (Object.values(DEFAULT_URLS).includes(config.api_url)) delete config.api_url;
  if (api === 'measurements') delete config.template;
  else if (config.template === undefined) config.template = 'host';
  return config;
}

const tagged = () => (state.config?.api ?? 'metrics') === 'measurements';

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

/** Shows a panel on narrow screens (tabs); on wide ones every panel is shown anyway. */
function showTab(name) {
  $('main').dataset.tab = name;
  for (const t of ['config', 'metrics', 'results']) $(`tab-${t}`).setAttribute('aria-selected', String(t === name));
}

/** Puts the caret (and the view) on a 1-based line and column of an editor. */
function goTo(textarea, line, column = 1) {
  showTab(textarea.id);
  const lines = textarea.value.split('\n');
  let pos = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
  const end = pos + (lines[line - 1]?.length ?? 0);
  textarea.focus();
  textarea.setSelectionRange(pos + Math.max(0, column - 1), end);
  const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

function lineLink(line, textarea, props = {}) {
  return el('a', { href: `#line-${line}`, class: 'line', ...props, onclick: (e) => { e.preventDefault(); goTo(textarea, line); if (textarea.id === 'metrics') selectLine(line); } }, `line ${line}`);
}

/** A config error's message without its "line L, column C: " (the link shows the place). */
const withoutPlace = (message) => message.replace(/^line \d+, column \d+: /, '');

/** The config line of the option that removed something (the package maps every spelling). */
function optionLine(option) {
  const line = state.keyLines?.[option];
  return line ? { key: option.split(' ')[0], line } : null;
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
    const loaded = loadConfig(configText)[0] ?? null;
    if (!loaded) throw Object.assign(new Error('the config has no [[outputs.librato]] table'), { code: 'invalid_config' });
    state.config = effectiveConfig(loaded);
    // keyLines rides along (not enumerable) on the loaded config only.
    state.keyLines = loaded.keyLines;
    plan = render(metricsText, state.config, options());
    warnings.push(...(loaded.warnings ?? []));
    const how = tagged() ? 'api "measurements" (tags)' : `template "${state.config.template}"`;
    $('config-status').textContent = `OK: ${how}, batch size ${state.config.batch_size}, ${state.config.body_format} bodies`;
    $('config-status').className = 'status';
  } catch (e) {
    state.config = null;
    state.configError = e;
    if (e.line) configBad.set(e.line, e.message);
    // The place once: in the status line (its message), and as the link in the problem.
    $('config-status').textContent = e.message;
    $('config-status').className = 'status bad';
    problems.push(el('div', { class: 'problem' }, 'Config: ',
      e.line ? el('a', { href: '#', class: 'line', onclick: (ev) => { ev.preventDefault(); goTo($('config'), e.line, e.column); } }, `line ${e.line}, column ${e.column}`) : '',
      e.line ? ': ' : '', withoutPlace(e.message)));
  }
  state.plan = plan;
  gutter($('config'), $('config-gutter'), configBad);
  if (plan) {
    for (const err of plan.errors) {
      metricsBad.set(err.line, err.message);
      if (problems.length < 20) {
        problems.push(el('div', { class: 'problem' }, 'Metrics ', lineLink(err.line, $('metrics')), `, column ${err.column}: ${err.message}`));
      }
    }
    warnings.push(...plan.warnings.filter((w) => !warnings.includes(w)));
    $('metrics-status').textContent = plan.errors.length ? `${plan.errors.length} line(s) could not be parsed; the others are used` : '';
    $('metrics-status').className = plan.errors.length ? 'status bad' : 'status';
  }
  for (const w of warnings) problems.push(el('div', { class: 'warning' }, `Warning: ${w}`));
  $('problems').replaceChildren(...problems);
  gutter($('metrics'), $('metrics-gutter'), metricsBad);
  showPlan(plan);
  explain();
  followApi();
  document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
}

/** Which body_format wrote a body: a compact one starts with what its items share. */
function bodyShape(body) {
  if (body.startsWith('{"time":')) return 'compact body: time and tags once at the top, on a measurement only where they differ (its whole tag set: tags are never merged)';
  if (body.startsWith('{"measurements":')) return 'every measurement carries its time and tags';
  return body.startsWith('{"source":')
    ? 'compact body: source and measure_time once at the top, on a gauge only where it differs (body_format = "compact")'
    : 'Telegraf\'s body shape: every gauge carries its source and measure_time (body_format = "telegraf")';
}

const tagText = (tags) => Object.entries(tags ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');

/** The table's columns for the API in use. */
function tableHead(isTagged) {
  const cols = isTagged ? ['name', 'tags', 'value', 'time', 'line'] : ['name', 'source', 'value', 'measure_time', 'line'];
  $('gauges').tHead.replaceChildren(el('tr', {}, ...cols.map((c) => el('th', { scope: 'col' }, c))));
  const word = isTagged ? 'Measurements' : 'Gauges';
  $('gauges-title').textContent = word;
  $('skip-gauges').textContent = word;
  $('gauges-region').setAttribute('aria-label', `${word} table (scrolls sideways)`);
  $('explain-title').textContent = isTagged ? 'How the tags were made' : 'How the source was built';
}

function showPlan(plan) {
  const tbody = $('gauges').tBodies[0];
  // Panels that depend on the config are emptied and marked while it is invalid.
  $('panel-results').toggleAttribute('data-stale', !plan);
  if (!plan) {
    $('summary').textContent = 'The config has an error: fix it to see what would be sent.';
    tbody.replaceChildren();
    $('requests').replaceChildren();
    $('skipped').replaceChildren();
    for (const id of ['gauge-count', 'skipped-count', 'request-count', 'gauges-more']) $(id).textContent = '';
    return;
  }
  const n = plan.requests.length;
  const isTagged = tagged();
  const noun = isTagged ? 'measurements' : 'gauges';
  tableHead(isTagged);
  $('summary').replaceChildren(
    el('span', { class: plan.errors.length ? '' : 'ok' }, `${plan.gauges} ${noun} in ${n} request${n === 1 ? '' : 's'}`),
    `, ${plan.skipped.length} skipped, ${plan.errors.length} line error${plan.errors.length === 1 ? '' : 's'}`,
  );
  $('gauge-count').textContent = `(${plan.gauges})`;
  $('skipped-count').textContent = `(${plan.skipped.length})`;
  $('request-count').textContent = `(${n})`;

  // Gauges: parsed back from the bodies, with the input line each came from. Rows are not
  // tab stops (there may be hundreds): the mouse selects a row; the keyboard uses the
  // "Metric on line" field and the skip links.
  const rows = [];
  const noted = new Set((plan.tagNotes ?? []).map((t) => t.line));
  let i = 0;
  for (const r of plan.requests) {
    const body = JSON.parse(r.body);
    for (const g of isTagged ? body.measurements : body.gauges) {
      if (rows.length < MAX_ROWS) {
        const line = plan.gaugeLines?.[i];
        // A compact body's top-level source (tags) and time apply to items that lack their own.
        const second = isTagged
          ? el('td', { class: 'tags' }, tagText(g.tags ?? body.tags), noted.has(line) ? el('span', { class: 'changed', title: 'a tag was changed to fit the API: see the notes below the table' }, ' (changed)') : '')
          : el('td', {}, g.source ?? body.source);
        const time = isTagged ? g.time ?? body.time : g.measure_time ?? body.measure_time;
        const when = new Date(time * 1000).toISOString().replace('.000Z', 'Z');
        rows.push(el('tr', { 'data-line': String(line), onclick: () => selectLine(line) },
          el('th', { scope: 'row' }, g.name), second, el('td', {}, String(g.value)),
          el('td', {}, String(time), el('span', { class: 'when' }, when)),
          el('td', {}, line ? lineLink(line, $('metrics'), { tabindex: '-1' }) : '')));
      }
      i++;
    }
  }
  tbody.replaceChildren(...rows);
  $('gauges-more').textContent = plan.gauges > MAX_ROWS ? `Showing the first ${MAX_ROWS} of ${plan.gauges} ${noun}.` : '';
  const notes = plan.tagNotes ?? [];
  $('tag-notes-box').hidden = notes.length === 0;
  $('tag-notes').replaceChildren(...notes.slice(0, MAX_ROWS).map((t) => el('li', {}, lineLink(t.line, $('metrics')), `: ${t.message}`)));

  $('skipped').replaceChildren(...plan.skipped.slice(0, MAX_ROWS).map((s) => {
    const by = s.reason === 'filtered' ? optionLine(s.option) : null;
    return el('li', {},
      s.line ? lineLink(s.line, $('metrics')) : 'no line', ': ',
      el('span', { class: 'mono' }, s.field ? `${s.metric} / ${s.field}` : s.metric), ' ',
      el('span', { class: 'reason' }, s.reason), ` ${s.message}`,
      ...(by ? [' (', el('a', { href: '#', class: 'line option', onclick: (ev) => { ev.preventDefault(); goTo($('config'), by.line); } }, `${by.key}, config line ${by.line}`), ')'] : []));
  }));

  const encoder = new TextEncoder();
  $('requests').replaceChildren(...plan.requests.map((r, k) => {
    const who = isTagged && !state.config.api_user ? 'api_token with an empty password' : 'api_user:api_token';
    const headers = { ...r.headers, Authorization: `Basic ••••••••  (added when sending: ${who})` };
    let pretty = null;
    return el('div', { class: 'request' },
      el('div', { class: 'mono' }, `#${k + 1}  ${r.method} ${r.url}`),
      el('pre', { class: 'headers' }, Object.entries(headers).map(([h, v]) => `${h}: ${v}`).join('\n')),
      el('div', { class: 'note' }, `${r.count} ${noun}, ${encoder.encode(r.body).length} bytes, ${bodyShape(r.body)} (the body below, exactly as sent)`),
      el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'small', onclick: () => copy(r.body) }, 'Copy body'),
        el('button', { type: 'button', class: 'small', onclick: () => copy(curl(r)) }, 'Copy as curl')),
      el('pre', { class: 'body' }, r.body),
      el('details', { class: 'pretty', ontoggle: (ev) => {
        if (ev.target.open && !pretty) {
          pretty = el('pre', {}, JSON.stringify(JSON.parse(r.body), null, 2));
          ev.target.append(pretty);
        }
      } }, el('summary', {}, 'Pretty view')));
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
  if (!state.plan) return list.replaceChildren(el('li', { class: 'stale' }, 'The config has an error: fix it to see how sources are built.'));
  if (!line) return list.replaceChildren();
  if (tagged()) return explainTags(list, line);
  // The steps come from the renderer itself (plan.sources), never re-derived here.
  const found = state.plan.sources?.find((s) => s.line === line);
  if (!found) {
    const why = state.plan.skipped.find((s) => s.line === line && s.reason === 'filtered');
    return list.replaceChildren(el('li', {}, why ? `Line ${line}: ${why.message}.` : `Line ${line} holds no metric that reaches the template.`));
  }
  const skipped = state.plan.skipped.find((s) => s.line === line && !s.field);
  const source = found.source ?? '(none: the metric is skipped)';
  list.replaceChildren(
    ...found.steps.map((s) => el('li', {}, el('span', { class: 'mono' }, s.part), ` → ${s.what}`)),
    el('li', {}, el('strong', {}, 'source: '), el('span', { class: 'mono', id: 'explain-source' }, skipped && found.source ? `${source} (skipped: ${skipped.reason})` : source)));
}

/** The measurements API: the line's tags as sent, and every change made to fit the API. */
function explainTags(list, line) {
  const notes = (state.plan.tagNotes ?? []).filter((t) => t.line === line);
  const skipped = state.plan.skipped.find((s) => s.line === line && !s.field);
  let index = -1;
  const lines = state.plan.gaugeLines ?? [];
  for (let k = 0; k < lines.length; k++) if (lines[k] === line) { index = k; break; }
  let tags = null;
  if (index >= 0) {
    let k = index;
    for (const r of state.plan.requests) {
      const body = JSON.parse(r.body);
      if (k < body.measurements.length) { tags = body.measurements[k].tags ?? body.tags; break; }
      k -= body.measurements.length;
    }
  }
  const items = notes.map((t) => el('li', {}, t.message));
  if (tags) items.push(el('li', {}, el('strong', {}, 'tags: '), el('span', { class: 'mono', id: 'explain-source' }, tagText(tags))));
  else if (skipped) items.push(el('li', {}, `Line ${line} is skipped: ${skipped.reason}: ${skipped.message}`));
  else items.push(el('li', {}, `Line ${line} holds no measurement.`));
  list.replaceChildren(...items);
}

async function share() {
  const { fragment, configOmitted } = await encodeState({
    config: $('config').value, metrics: $('metrics').value, format: $('format').value, precision: $('precision').value, api: $('api').value,
  }, redactConfig);
  const link = `${location.origin}${location.pathname}#${fragment}`;
  $('share-link').value = link;
  $('share-status').textContent = configOmitted
    ? 'The config is not valid TOML, so its credentials cannot be found safely: this link carries the metrics only, no config.'
    : 'api_user and api_token values are replaced by "[redacted]" in the link.';
  history.replaceState(null, '', `#${fragment}`);
  copy(link);
}

async function send(ev) {
  ev.preventDefault();
  const box = $('report-box');
  const report = $('report');
  const help = $('cors-help');
  box.hidden = false;
  help.hidden = true;
  report.className = 'report';
  report.textContent = 'Sending…';
  try {
    if (!state.config) throw Object.assign(new Error('fix the config first'), { code: 'invalid_config' });
    const config = { ...state.config, api_url: $('send-url').value };
    if ($('send-user').value) config.api_user = $('send-user').value;
    if ($('send-token').value) config.api_token = $('send-token').value;
    const out = new LibratoOutput(config, {});
    const r = await out.write($('metrics').value, options());
    report.className = `report ${r.ok ? 'ok' : 'bad'}`;
    const noun = tagged() ? 'measurements' : 'gauges';
    const lines = [`ok: ${r.ok}`, `sent: ${r.sent} ${noun} in ${r.requests} request(s), ${r.attempts} attempt(s)`];
    for (const f of r.failed) lines.push(`failed: ${f.count} ${noun}, status ${f.status ?? '-'}, ${f.attempts} attempt(s): ${f.message}`);
    if (r.rateLimit?.std) lines.push(`rate limit: ${JSON.stringify(r.rateLimit.std)}`);
    report.textContent = lines.join('\n');
    // A browser reports a request the API did not allow (CORS) as a bare network error.
    if (r.failed.length && r.failed.every((f) => f.status === null && /^network error/.test(f.message))) {
      const first = state.plan?.requests[0];
      help.replaceChildren(
        el('p', {}, `The browser could not reach ${config.api_url}, or blocked its answer. If the API is up, it must allow this page's origin (${location.origin}): answer with Access-Control-Allow-Origin and allow the Authorization and Content-Type headers. The same request from a terminal:`),
        el('pre', { class: 'body' }, first ? curl({ ...first, url: config.api_url }) : ''));
      help.hidden = false;
    }
  } catch (e) {
    report.className = 'report bad';
    report.textContent = `${e.code ? `[${e.code}] ` : ''}${e.message}`;
  }
}

/** The Send form's URL follows the API in use, when it is one of the two endpoints. */
function followApi() {
  const url = $('send-url');
  const want = tagged() ? '/v1/measurements' : '/v1/metrics';
  url.value = url.value.replace(/\/v1\/(metrics|measurements)$/, want);
}

async function openConfig(file) {
  if (!file) return;
  $('config').value = await file.text();
  showTab('config');
  update();
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
      if (restored.configOmitted) {
        $('share-status').textContent = 'This link carries no config (it was not valid TOML when shared): the sample config is shown.';
      } else {
        $('config').value = restored.config ?? '';
      }
      $('metrics').value = restored.metrics ?? '';
      $('format').value = restored.format || 'influx';
      $('precision').value = restored.precision || '';
      $('api').value = restored.api || '';
    }
  } catch { /* a broken link: keep the samples */ }
  let apiUrl = null;
  try { apiUrl = (await (await fetch('config.json')).json()).apiUrl; } catch { /* served elsewhere */ }
  $('send-url').value = apiUrl ?? 'http://127.0.0.1:8071/v1/metrics';
  for (const id of ['config', 'metrics']) {
    $(id).addEventListener('input', schedule);
    $(id).addEventListener('scroll', () => { $(`${id}-gutter`).scrollTop = $(id).scrollTop; });
  }
  for (const t of ['config', 'metrics', 'results']) $(`tab-${t}`).addEventListener('click', () => showTab(t));
  for (const a of document.querySelectorAll('.skip a')) {
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      const section = document.querySelector(a.getAttribute('href'));
      section.open = true;
      section.querySelector('summary').focus();
      section.scrollIntoView({ block: 'start' });
    });
  }
  $('open-config').addEventListener('change', (ev) => openConfig(ev.target.files[0]));
  const drop = $('config-editor');
  drop.addEventListener('dragover', (ev) => { ev.preventDefault(); drop.classList.add('dropping'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('dropping'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('dropping');
    openConfig(ev.dataTransfer?.files?.[0]);
  });
  for (const id of ['format', 'precision']) $(id).addEventListener('change', update);
  $('api').addEventListener('change', update);
  $('explain-line').addEventListener('input', explain);
  $('share').addEventListener('click', share);
  $('send-form').addEventListener('submit', send);
  update();
  document.body.dataset.ready = 'true';
}

start();
