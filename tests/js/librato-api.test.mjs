// The local Librato-compatible API must be strict like the documented one, not a mock
// that accepts anything (../shared/docs/librato-api.md).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startLibratoApi } from '../../dev/librato-api.mjs';

const USER = 'api@example.com';
const TOKEN = 'api-token';
const AUTH = 'Basic ' + Buffer.from(`${USER}:${TOKEN}`).toString('base64');
let api;

before(async () => { api = await startLibratoApi({ port: 0, user: USER, token: TOKEN, maxAgeSeconds: 3600 }); });
after(async () => { await api.close(); });
beforeEach(() => api.clear());

const now = () => Math.floor(Date.now() / 1000);
const gauge = (extra = {}) => ({ name: 'cpu.idle', value: 1.5, source: 'web-1', measure_time: now(), ...extra });

async function post(body, { path = '/v1/metrics', auth = AUTH, type = 'application/json' } = {}) {
  const headers = { 'Content-Type': type };
  if (auth) headers.Authorization = auth;
  const res = await fetch(api.base + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* a garbage body on purpose */ }
  return { status: res.status, headers: res.headers, text, json };
}

test('accepts a valid legacy body and records it', async () => {
  const r = await post({ gauges: [gauge(), gauge({ name: 'a:b', source: 'x.y_z-1' })] });
  assert.equal(r.status, 200);
  assert.equal(api.received().gauges.length, 2);
  const viaHttp = await (await fetch(api.base + '/__received')).json();
  assert.equal(viaHttp.gauges[1].name, 'a:b');
  await fetch(api.base + '/__received', { method: 'DELETE' });
  assert.equal(api.received().gauges.length, 0);
});

test('Basic auth is required and checked', async () => {
  const missing = await post({ gauges: [gauge()] }, { auth: null });
  assert.equal(missing.status, 401);
  assert.deepEqual(missing.json, { errors: { request: ['Please provide credentials for authentication.'] } });
  const wrong = await post({ gauges: [gauge()] }, { auth: 'Basic ' + Buffer.from(`${USER}:nope`).toString('base64') });
  assert.equal(wrong.status, 401);
  assert.equal(api.received().gauges.length, 0);
});

test('JSON only: other content types get 415, broken JSON 400', async () => {
  assert.equal((await post('gauges[0][name]=x', { type: 'application/x-www-form-urlencoded' })).status, 415);
  const broken = await post('{"gauges": [', {});
  assert.equal(broken.status, 400);
  assert.ok(broken.json.errors.request[0].includes('not valid JSON'));
});

test('one invalid measurement rejects the whole request with a body that names it', async () => {
  const cases = [
    [gauge({ name: 'x y' }), 'name', '"x y" is not a valid metric name'],
    [gauge({ name: 'n'.repeat(256) }), 'name', 'longer than 255 characters'],
    [gauge({ name: '' }), 'name', 'is required'],
    [gauge({ source: 'a/b' }), 'source', 'is not a valid source name'],
    [gauge({ source: 's'.repeat(256) }), 'source', 'longer than 255'],
    [gauge({ source: 'All' }), 'source', 'is reserved'],
    [gauge({ value: '1.5' }), 'value', 'is not a number'],
    [gauge({ value: 1e127 }), 'value', 'exponent above 126'],
    [gauge({ measure_time: 1.5 }), 'measure_time', 'must be an integer'],
    [gauge({ measure_time: now() - 7200 }), 'measure_time', 'is too far in the past'],
    [{ ...gauge(), value: undefined }, 'value', 'is required'],
  ];
  for (const [bad, key, text] of cases) {
    const r = await post({ gauges: [gauge(), bad, gauge()] });
    assert.equal(r.status, 400, JSON.stringify(bad).slice(0, 80));
    assert.ok(r.json.errors.params[key][0].includes(text), `${key}: ${JSON.stringify(r.json)}`);
    assert.equal(typeof r.json.request_time, 'number');
  }
  assert.equal(api.received().gauges.length, 0, 'nothing of a rejected request is recorded');
});

test('at most 300 measurements per request; unknown keys and shapes are rejected', async () => {
  const g300 = Array.from({ length: 300 }, (_, i) => gauge({ value: i }));
  assert.equal((await post({ gauges: g300 })).status, 200);
  const r = await post({ gauges: [...g300, gauge()] });
  assert.equal(r.status, 400);
  assert.match(r.json.errors.params.gauges[0], /301 > 300/);
  assert.equal((await post({ gauges: [gauge({ colour: 'red' })] })).status, 400);
  assert.equal((await post({ metrics: [gauge()] })).status, 400);
  assert.equal((await post([gauge()])).status, 400);
  assert.equal((await post({ gauges: [] })).status, 400);
});

test('top-level source and measure_time apply to measurements without their own', async () => {
  const t = now();
  const r = await post({ source: 'top', measure_time: t, gauges: [{ name: 'a', value: 1 }, { name: 'b', value: 2, source: 'own' }] });
  assert.equal(r.status, 200);
  assert.deepEqual(api.received().gauges.map((g) => [g.name, g.source, g.measure_time]), [['a', 'top', t], ['b', 'own', t]]);
});

test('tagged API: rules, replaced tags, 202 summary', async () => {
  const ok = await post({ tags: { Host: 'A' }, time: now(), measurements: [{ name: 'm', value: 1 }, { name: 'n', value: 2, tags: { region: 'us' } }] }, { path: '/v1/measurements' });
  assert.equal(ok.status, 202);
  assert.equal(ok.json.measurements.summary.accepted, 2);
  assert.deepEqual(api.received().measurements.map((m) => m.tags), [{ host: 'a' }, { region: 'us' }]);
  const unknown = await post({ measurements: [{ name: 'm', value: 1, colour: 'red' }] }, { path: '/v1/measurements' });
  assert.deepEqual([unknown.status, unknown.json.message], [400, 'Unable to process JSON']);
  const badTag = await post({ tags: { 'bad tag!': 'x' }, measurements: [{ name: 'm', value: 1 }] }, { path: '/v1/measurements' });
  assert.equal(badTag.status, 400);
  const emptyValue = await post({ tags: { a: '' }, measurements: [{ name: 'm', value: 1 }] }, { path: '/v1/measurements' });
  assert.equal(emptyValue.status, 400);
});

test('rate-limit headers on every response, CORS for the playground', async () => {
  const r = await post({ gauges: [gauge()] }, { auth: null });
  assert.match(r.headers.get('x-librato-ratelimit-std'), /remaining=\d+/);
  assert.match(r.headers.get('x-librato-ratelimit-agg'), /limit=\d+/);
  const pre = await fetch(api.url, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:8080', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/);
});

test('fault injection: statuses, Retry-After, garbage bodies, dropped connections', async () => {
  await fetch(api.base + '/__faults', { method: 'POST', body: JSON.stringify([{ status: 503, times: 2 }, { status: 429, retryAfter: 1 }, { status: 200, body: 'garbage' }, { drop: true }]) });
  const statuses = [];
  for (let i = 0; i < 4; i++) {
    const r = await post({ gauges: [gauge()] });
    statuses.push(r.status);
    if (r.status === 429) assert.equal(r.headers.get('retry-after'), '1');
    if (r.status === 200) assert.equal(r.text, 'garbage');
  }
  assert.deepEqual(statuses, [503, 503, 429, 200]);
  await assert.rejects(post({ gauges: [gauge()] }));
  assert.equal((await post({ gauges: [gauge()] })).status, 200, 'faults are used up');
  assert.equal(api.received().gauges.length, 2, 'the garbage-200 and the last one were accepted');
});

test('tagged API: both Basic auth forms; the token alone only on /v1/measurements', async () => {
  const body = { measurements: [{ name: 'm', value: 1, tags: { host: 'a' } }] };
  const alone = 'Basic ' + Buffer.from(`${TOKEN}:`).toString('base64');
  assert.equal((await post(body, { path: '/v1/measurements' })).status, 202);
  assert.equal((await post(body, { path: '/v1/measurements', auth: alone })).status, 202);
  assert.deepEqual(api.received().requests.map((r) => r.user), [USER, '(token)']);
  assert.equal((await post({ gauges: [gauge()] }, { auth: alone })).status, 401, 'the legacy API wants the email');
  const wrong = 'Basic ' + Buffer.from('other-token:').toString('base64');
  assert.equal((await post(body, { path: '/v1/measurements', auth: wrong })).status, 401);
  assert.equal((await post(body, { path: '/v1/measurements', auth: null })).status, 401);
  assert.equal((await post('x', { path: '/v1/measurements', type: 'text/plain' })).status, 415);
});

test('tagged API: every documented rule refuses the whole request with a body that names it', async () => {
  const t = { host: 'a' };
  const tags50 = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
  const tags51 = { ...tags50, k50: 'v' };
  const cases = [
    [{ measurements: [] }, 'measurements'],
    [{ measurements: [{ name: 'm', value: 1 }] }, 'tags'],
    [{ measurements: [{ name: 'x y', value: 1, tags: t }] }, 'name'],
    [{ measurements: [{ name: 'n'.repeat(256), value: 1, tags: t }] }, 'name'],
    [{ measurements: [{ name: 'm', tags: t }] }, 'value'],
    [{ measurements: [{ name: 'm', value: 'x', tags: t }] }, 'value'],
    [{ measurements: [{ name: 'm', value: 1e127, tags: t }] }, 'value'],
    [{ measurements: [{ name: 'm', count: 2, tags: t }] }, 'sum'],
    [{ measurements: [{ name: 'm', count: 2, sum: 3, value: 1, tags: t }] }, 'value'],
    [{ measurements: [{ name: 'm', sum: 3, tags: t }] }, 'count'],
    [{ measurements: [{ name: 'm', value: 1, min: 0, tags: t }] }, 'min'],
    [{ measurements: [{ name: 'm', count: 2, sum: 3, stddev: 'x', tags: t }] }, 'stddev'],
    [{ measurements: [{ name: 'm', count: 2, sum: 3, stddev: 1, stddev_m2: 1, tags: t }] }, 'stddev_m2'],
    [{ measurements: [{ name: 'm', value: 1, stddev_m2: 1, tags: t }] }, 'stddev_m2'],
    [{ measurements: [{ name: 'm', value: 1, tags: tags51 }] }, 'tags'],
    [{ measurements: [{ name: 'm', value: 1, tags: { ['k'.repeat(65)]: 'v' } }] }, 'tags'],
    [{ measurements: [{ name: 'm', value: 1, tags: { k: 'v'.repeat(256) } }] }, 'tags'],
    [{ measurements: [{ name: 'm', value: 1, tags: { k: 'a"b' } }] }, 'tags'],
    [{ measurements: [{ name: 'm', value: 1, tags: {} }] }, 'tags'],
    [{ measurements: [{ name: 'm', value: 1, tags: t, time: 1.5 }] }, 'time'],
    [{ time: '1700000000', tags: t, measurements: [{ name: 'm', value: 1 }] }, 'time'],
  ];
  for (const [body, key] of cases) {
    const r = await post(body, { path: '/v1/measurements' });
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 120));
    assert.ok(r.json.errors.params[key], `${JSON.stringify(r.json)} names ${key}`);
  }
  const top = await post({ tags: t, colour: 1, measurements: [{ name: 'm', value: 1 }] }, { path: '/v1/measurements' });
  assert.deepEqual([top.status, top.json.message], [400, 'Unable to process JSON']);
  assert.equal(api.received().measurements.length, 0);
  // What is allowed: 50 tags, `\` `/` `?` and space in values, the summary form, attributes.
  const ok = await post({ measurements: [
    { name: 'm', value: 1, tags: tags50 },
    { name: 'm', value: 1, tags: { path: 'C:\\d/x? y' } },
    { name: 's', count: 2, sum: 3, min: 1, max: 2, last: 2, stddev: 0.5, tags: t, period: 60, attributes: { aggregate: true } },
    { name: 's.90', count: 2, sum: 3, min: 1, max: 2, stddev_m2: 0.7, tags: t },
  ] }, { path: '/v1/measurements' });
  assert.equal(ok.status, 202, JSON.stringify(ok.json));
});

test('tagged API: stores series (name, lower-cased tags, time); top-level tags only without own', async () => {
  const r = await post({ tags: { Host: 'Web-1' }, time: 1700000000, measurements: [
    { name: 'CPU.idle', value: 1 },
    { name: 'cpu.idle', value: 2, tags: { Region: 'US' }, time: 1700000060 },
  ] }, { path: '/v1/measurements' });
  assert.equal(r.status, 202);
  assert.deepEqual(api.received().measurements.map((m) => m.series), [
    'cpu.idle|host=web-1|1700000000',
    'cpu.idle|region=us|1700000060',
  ]);
});

test('fault injection: a 2xx whose body holds errors stores nothing with store: false', async () => {
  api.setFaults([{ status: 202, body: { errors: [{ param: 'tags', reason: 'too many tag sets' }] }, store: false }]);
  const r = await post({ measurements: [{ name: 'm', value: 1, tags: { a: 'b' } }] }, { path: '/v1/measurements' });
  assert.equal(r.status, 202);
  assert.equal(r.json.errors[0].reason, 'too many tag sets');
  assert.equal(api.received().measurements.length, 0);
  api.setFaults([]);
});
