// Librato's validation rules (../shared/docs/librato-api.md), as pure functions.
// Each returns { count, gauges?, counters?, measurements? } or { error: <Librato error body> }.
// One invalid measurement rejects the whole request; the error names the value at fault.

const NAME_RE = /^[A-Za-z0-9.:\-_]{1,255}$/;
const TAG_NAME_RE = /^[-.:_A-Za-z0-9]{1,64}$/;
const TAG_VALUE_RE = /^[-.:_?\\/A-Za-z0-9 ]{1,255}$/;
const MAX_ABS = 1e127; // exponents above 126 are rejected
const LEGACY_KEYS = new Set(['name', 'value', 'source', 'measure_time', 'period', 'attributes',
  'count', 'sum', 'max', 'min', 'sum_squares']);
const LEGACY_TOP_KEYS = new Set(['gauges', 'counters', 'source', 'measure_time']);

const params = (key, msg) => ({ errors: { params: { [key]: [msg] } } });
const quote = (v) => JSON.stringify(typeof v === 'string' && v.length > 80 ? v.slice(0, 80) + '…' : v);

function checkName(name) {
  if (typeof name !== 'string' || name === '') return params('name', 'is required and must be a non-empty string');
  if (name.length > 255) return params('name', `${quote(name)} is longer than 255 characters`);
  if (!NAME_RE.test(name)) return params('name', `${quote(name)} is not a valid metric name`);
  return null;
}

function checkSource(source) {
  if (typeof source !== 'string' || source === '') return params('source', 'must be a non-empty string');
  if (source.length > 255) return params('source', `${quote(source)} is longer than 255 characters`);
  if (!NAME_RE.test(source)) return params('source', `${quote(source)} is not a valid source name`);
  if (source.toLowerCase() === 'all') return params('source', `${quote(source)} is reserved`);
  return null;
}

function checkNumber(key, v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return params(key, `${quote(v)} is not a number`);
  if (Math.abs(v) >= MAX_ABS) return params(key, `${v} has an exponent above 126`);
  return null;
}

function checkTime(key, t, { maxAgeSeconds, now }) {
  if (typeof t !== 'number' || !Number.isInteger(t)) return params(key, `${quote(t)} must be an integer number of seconds`);
  if (maxAgeSeconds !== null && maxAgeSeconds !== undefined && t < now - maxAgeSeconds) {
    return params(key, 'is too far in the past');
  }
  return null;
}

export function validateLegacy(body, opts) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { error: { errors: { request: ['the body must be a JSON object with "gauges" and/or "counters"'] } } };
  }
  for (const k of Object.keys(body)) {
    if (!LEGACY_TOP_KEYS.has(k)) return { error: { errors: { request: [`unknown top-level key ${quote(k)}`] } } };
  }
  const topSource = body.source;
  if (topSource !== undefined) { const e = checkSource(topSource); if (e) return { error: e }; }
  if (body.measure_time !== undefined) { const e = checkTime('measure_time', body.measure_time, opts); if (e) return { error: e }; }
  const out = { gauges: [], counters: [] };
  let total = 0;
  for (const kind of ['gauges', 'counters']) {
    const list = body[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return { error: params(kind, 'must be an array') };
    total += list.length;
    if (total > opts.maxPerRequest) {
      return { error: params(kind, `too many measurements in one request: ${total} > ${opts.maxPerRequest}`) };
    }
    for (const m of list) {
      if (m === null || typeof m !== 'object' || Array.isArray(m)) return { error: params(kind, 'each measurement must be an object') };
      for (const k of Object.keys(m)) {
        if (!LEGACY_KEYS.has(k)) return { error: params(kind, `unknown key ${quote(k)} in a measurement`) };
      }
      const summary = m.count !== undefined || m.sum !== undefined;
      const err = checkName(m.name)
        || (m.value === undefined && !summary ? params('value', 'is required') : null)
        || (m.value !== undefined ? checkNumber('value', m.value) : null)
        // The summary form: count and sum together (min, max, sum_squares optional), never value.
        || (summary && (m.count === undefined || m.sum === undefined) ? params(m.count === undefined ? 'count' : 'sum', 'is required with a summary') : null)
        || (summary && m.value !== undefined ? params('value', 'must not be set with count') : null)
        || (summary && !(Number.isInteger(m.count) && m.count > 0) ? params('count', `${quote(m.count)} must be a positive integer`) : null)
        || ['sum', 'min', 'max', 'sum_squares'].reduce((e, k) => e || (m[k] !== undefined ? checkNumber(k, m[k]) : null), null)
        || (m.period !== undefined && !(Number.isInteger(m.period) && m.period > 0) ? params('period', 'must be a positive integer') : null)
        || (m.source !== undefined ? checkSource(m.source) : null)
        || (m.measure_time !== undefined ? checkTime('measure_time', m.measure_time, opts) : null);
      if (err) return { error: err };
      const stored = {
        name: m.name,
        value: m.value,
        source: m.source ?? topSource ?? null,
        measure_time: m.measure_time ?? body.measure_time ?? opts.now,
      };
      for (const k of ['count', 'sum', 'min', 'max', 'sum_squares', 'period']) if (m[k] !== undefined) stored[k] = m[k];
      out[kind].push(stored);
    }
  }
  if (total === 0) return { error: { errors: { request: ['no measurements: "gauges" and "counters" are both empty'] } } };
  return { count: total, ...out };
}

const UNPROCESSABLE = { code: 400, message: 'Unable to process JSON' };
const TAGGED_TOP_KEYS = new Set(['tags', 'time', 'period', 'measurements']);
const TAGGED_KEYS = new Set(['name', 'value', 'tags', 'time', 'period', 'attributes',
  'count', 'sum', 'min', 'max', 'last', 'stddev', 'stddev_m2']);
// stddev_m2: the API's alternative deviation field (statsd-librato-backend sends it); only one
// of stddev and stddev_m2 may be set.
const SUMMARY_EXTRAS = ['min', 'max', 'last', 'stddev', 'stddev_m2'];

function checkTags(tags, where) {
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) return params(where, 'must be an object of tag names to values');
  const entries = Object.entries(tags);
  if (entries.length === 0) return params(where, 'must hold at least one tag');
  if (entries.length > 50) return params(where, `${entries.length} tags; at most 50 are allowed`);
  for (const [k, v] of entries) {
    if (!TAG_NAME_RE.test(k)) return params(where, `tag name ${quote(k)} is not valid (1-64 of -.:_A-Za-z0-9)`);
    if (typeof v !== 'string' || !TAG_VALUE_RE.test(v)) {
      return params(where, `tag value ${quote(v)} of ${quote(k)} is not valid (1-255 of -.:_?\\/A-Za-z0-9 and space)`);
    }
  }
  return null;
}

function checkInteger(key, t) {
  return typeof t === 'number' && Number.isInteger(t) ? null : params(key, `${quote(t)} must be an integer number of seconds`);
}

/** A stored series: the lower-cased name and tag set (the API lower-cases both) and the time. */
export function seriesKey(name, tags, time) {
  const set = Object.keys(tags).sort().map((k) => `${k}=${tags[k]}`).join(',');
  return `${name.toLowerCase()}|${set}|${time}`;
}

export function validateTagged(body, { maxMeasurements, now }) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { error: UNPROCESSABLE };
  for (const k of Object.keys(body)) {
    // Unknown keys: the tagged API's own answer to a body it cannot map.
    if (!TAGGED_TOP_KEYS.has(k)) return { error: UNPROCESSABLE };
  }
  if (!Array.isArray(body.measurements) || body.measurements.length === 0) {
    return { error: params('measurements', 'must be a non-empty array') };
  }
  if (body.measurements.length > maxMeasurements) {
    return { error: params('measurements', `too many measurements in one request: ${body.measurements.length} > ${maxMeasurements}`) };
  }
  if (body.tags !== undefined) { const e = checkTags(body.tags, 'tags'); if (e) return { error: e }; }
  if (body.time !== undefined) { const e = checkInteger('time', body.time); if (e) return { error: e }; }
  if (body.period !== undefined) { const e = checkInteger('period', body.period); if (e) return { error: e }; }
  const measurements = [];
  for (const [i, m] of body.measurements.entries()) {
    const at = `measurements.${i}`;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) return { error: params(at, 'must be an object') };
    for (const k of Object.keys(m)) if (!TAGGED_KEYS.has(k)) return { error: UNPROCESSABLE };
    let err = checkName(m.name);
    if (!err && m.count !== undefined) {
      // The summary form: count and sum, never value.
      err = checkNumber('count', m.count)
        || (m.sum === undefined ? params('sum', 'is required') : checkNumber('sum', m.sum))
        || (m.value !== undefined ? params('value', 'must not be set with count') : null);
    } else if (!err && m.sum !== undefined) {
      err = params('count', 'is required with sum');
    } else if (!err) {
      err = m.value === undefined ? params('value', 'is required') : checkNumber('value', m.value);
    }
    for (const k of SUMMARY_EXTRAS) {
      if (!err && m[k] !== undefined) {
        err = m.count === undefined ? params(k, 'is only allowed with count and sum') : checkNumber(k, m[k]);
      }
    }
    if (!err && m.stddev !== undefined && m.stddev_m2 !== undefined) err = params('stddev_m2', 'only one of stddev and stddev_m2 may be set');
    if (!err && m.tags !== undefined) err = checkTags(m.tags, 'tags');
    if (!err && m.tags === undefined && body.tags === undefined) err = params('tags', 'is required (on the measurement or at the top level)');
    if (!err && m.time !== undefined) err = checkInteger('time', m.time);
    if (!err && m.period !== undefined) err = checkInteger('period', m.period);
    if (!err && m.attributes !== undefined && (m.attributes === null || typeof m.attributes !== 'object' || Array.isArray(m.attributes))) {
      err = params('attributes', 'must be an object');
    }
    if (err) return { error: err };
    // Per-measurement tags replace the top-level tags (never merged); names and values are lower-cased.
    const tags = Object.fromEntries(Object.entries(m.tags ?? body.tags).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]));
    const time = m.time ?? body.time ?? now;
    const stored = { name: m.name, tags, time, series: seriesKey(m.name, tags, time) };
    for (const k of ['value', 'count', 'sum', ...SUMMARY_EXTRAS]) if (m[k] !== undefined) stored[k] = m[k];
    const period = m.period ?? body.period;
    if (period !== undefined) stored.period = period;
    if (m.attributes !== undefined) stored.attributes = m.attributes;
    measurements.push(stored);
  }
  return { count: measurements.length, measurements };
}
