// The edge worker in real workerd (Miniflare), relaying to the local Librato API on 127.0.0.1.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { startWorker } from './worker-harness.mjs';
import { sampleLines } from './helpers.mjs';

const USER = 'relay@example.com';
const TOKEN = 'librato-secret-7f3e';
const WRITE_TOKEN = 'write-token-91b2';
let api;
let viaConfig; // LIBRATO_CONFIG with ${VAR} and @{env:NAME} references
let viaVars; // single LIBRATO_* vars, small limits
let open; // no WRITE_TOKEN

before(async () => {
  api = await startLibratoApi({ port: 0, user: USER, token: TOKEN });
  viaConfig = await startWorker({
    WRITE_TOKEN,
    LIBRATO_USER_EMAIL: USER,
    LIBRATO_SECRET: TOKEN,
    LIBRATO_CONFIG: `[[outputs.librato]]
  api_user = "\${LIBRATO_USER_EMAIL}"
  api_token = "@{env:LIBRATO_SECRET}"
  api_url = "${api.url}"
  template = "host"
  timeout = "500ms"
  retries = 1
  retry_backoff = "10ms"
`,
    RETRY_AFTER_SECONDS: '2',
  });
  viaVars = await startWorker({
    WRITE_TOKEN,
    LIBRATO_API_USER: USER,
    LIBRATO_API_TOKEN: TOKEN,
    LIBRATO_API_URL: api.url,
    LIBRATO_TEMPLATE: 'host.tags',
    MAX_BODY_BYTES: '30000',
    MAX_DECOMPRESSED_BYTES: '100000',
    MAX_SUBREQUESTS: '2',
  });
  open = await startWorker({ LIBRATO_API_USER: USER, LIBRATO_API_TOKEN: TOKEN, LIBRATO_API_URL: api.url });
});
after(async () => {
  await Promise.all([viaConfig.close(), viaVars.close(), open.close()]);
  await api.close();
});
beforeEach(() => { api.clear(); api.setFaults([]); });

const T = 1_700_000_000; // seconds

function post(worker, path, body, headers = {}) {
  return fetch(worker.url + path, { method: 'POST', headers: { Authorization: `Token ${WRITE_TOKEN}`, ...headers }, body });
}

test('v2 write with every precision', async () => {
  for (const [precision, ts] of [['ns', `${T}000000000`], ['us', `${T}000000`], ['ms', `${T}000`], ['s', `${T}`]]) {
    api.clear();
    const r = await post(viaConfig, `/api/v2/write?org=o&bucket=b&precision=${precision}`, `cpu,host=web-1 usage=1.5 ${ts}\n`);
    assert.equal(r.status, 204, precision);
    assert.deepEqual(api.received().gauges, [{ name: 'cpu.usage', value: 1.5, source: 'web-1', measure_time: T }]);
  }
});

test('v2 write takes only v2 precisions: n, u, m, h and junk are a 400 naming the allowed set', async () => {
  for (const precision of ['n', 'u', 'm', 'h', 'seconds']) {
    const r = await post(viaConfig, `/api/v2/write?org=o&bucket=b&precision=${precision}`, `cpu,host=web-1 usage=1.5 ${T}\n`);
    assert.equal(r.status, 400, precision);
    const body = await r.json();
    assert.equal(body.code, 'invalid');
    assert.equal(body.message, `invalid precision "${precision}": the v2 write API takes ns, us, ms, s (n, u, m and h are InfluxDB v1's, at /write)`);
  }
  assert.deepEqual(api.received().gauges, [], 'nothing relayed');
  // No precision: nanoseconds.
  const r = await post(viaConfig, '/api/v2/write?org=o&bucket=b', `cpu,host=web-1 usage=1.5 ${T}000000000\n`);
  assert.equal(r.status, 204);
});

test('a body with invalid UTF-8: that line is a 400 partial write, the others are sent unmangled', async () => {
  const body = Buffer.concat([
    Buffer.from(`cpu,host=web-1 usage=1 ${T}\n`),
    Buffer.from('cpu,host=b'), Buffer.from([0xff, 0xfe]), Buffer.from(` usage=2 ${T}\n`),
    Buffer.from(`cpu,host=é usage=3 ${T}\n`),
  ]);
  for (const gzip of [false, true]) {
    api.clear();
    const r = await post(viaConfig, '/api/v2/write?org=o&bucket=b&precision=s', gzip ? gzipSync(body) : body, gzip ? { 'Content-Encoding': 'gzip' } : {});
    assert.equal(r.status, 400);
    const msg = (await r.json()).message;
    assert.ok(msg.includes('line 2:11: invalid UTF-8 at byte 11 of the line: \\xFF'), msg);
    assert.deepEqual(api.received().gauges.map((g) => g.source), ['web-1', '-']);
  }
});

test('v1 write with every precision, and its three ways to authenticate', async () => {
  const cases = [['n', `${T}000000000`], ['ns', `${T}000000000`], ['u', `${T}000000`], ['us', `${T}000000`], ['ms', `${T}000`], ['s', `${T}`], ['m', '28333334'], ['h', '472222']];
  for (const [precision, ts] of cases) {
    api.clear();
    const r = await fetch(`${viaConfig.url}/write?db=telegraf&precision=${precision}&u=telegraf&p=${WRITE_TOKEN}`, { method: 'POST', body: `mem,host=h used=3i ${ts}\n` });
    assert.equal(r.status, 204, precision);
    const expected = precision === 'm' ? 28333334 * 60 : precision === 'h' ? 472222 * 3600 : T;
    assert.equal(api.received().gauges[0].measure_time, expected, precision);
  }
  const basic = 'Basic ' + Buffer.from(`telegraf:${WRITE_TOKEN}`).toString('base64');
  assert.equal((await fetch(`${viaConfig.url}/write?db=x`, { method: 'POST', headers: { Authorization: basic }, body: `m,host=h v=1 ${T}000000000` })).status, 204);
  assert.equal((await post(viaConfig, '/write?db=x', `m,host=h v=1 ${T}000000000`)).status, 204);
});

test('wrong and missing tokens are refused; nothing is relayed', async () => {
  const body = `m,host=h v=1 ${T}000000000`;
  const cases = [
    [viaConfig.url + '/api/v2/write?bucket=b', { Authorization: 'Token nope' }],
    [viaConfig.url + '/api/v2/write?bucket=b', {}],
    [viaConfig.url + '/api/v2/write?bucket=b', { Authorization: 'Basic ' + Buffer.from(`u:${WRITE_TOKEN}`).toString('base64') }],
    [viaConfig.url + '/write?db=x&u=a&p=nope', {}],
    [viaConfig.url + '/write?db=x', {}],
    [viaConfig.url + '/telegraf', { Authorization: `Token ${WRITE_TOKEN}x` }],
  ];
  for (const [url, headers] of cases) {
    const r = await fetch(url, { method: 'POST', headers, body });
    assert.equal(r.status, 401, url);
    assert.match(r.headers.get('x-influxdb-version'), /^librato-wasm-worker\//, 'InfluxDB headers on 401 too');
    const json = await r.json();
    assert.equal(json.code, 'unauthorized');
    if (url.includes('/write?db')) assert.equal(typeof json.error, 'string', 'v1 clients read "error"');
  }
  assert.equal(api.received().gauges.length, 0);
});

test('without WRITE_TOKEN every write is refused with a clear 500', async () => {
  const r = await fetch(open.url + '/api/v2/write?bucket=b', { method: 'POST', headers: { Authorization: 'Token anything' }, body: `m,host=h v=1 ${T}000000000` });
  assert.equal(r.status, 500);
  assert.match(r.headers.get('x-influxdb-version'), /^librato-wasm-worker\//);
  assert.match((await r.json()).message, /WRITE_TOKEN is not set/);
  const h = await fetch(open.url + '/health');
  assert.equal(h.status, 503);
  assert.equal((await h.json()).status, 'fail');
  assert.equal(api.received().gauges.length, 0);
});

test('gzip bodies are decoded (as Telegraf\'s v2 output sends them)', async () => {
  const text = sampleLines(500, { fields: 2 });
  const r = await post(viaConfig, '/api/v2/write?bucket=b', gzipSync(text), { 'Content-Encoding': 'gzip' });
  assert.equal(r.status, 204);
  assert.equal(api.received().gauges.length, 1000);
  const bad = await post(viaConfig, '/api/v2/write?bucket=b', 'not gzip at all', { 'Content-Encoding': 'gzip' });
  assert.equal(bad.status, 400);
});

test('body and decompressed-size limits answer 413, never run out of memory', async () => {
  const big = await post(viaVars, '/api/v2/write?bucket=b', 'x'.repeat(40000));
  assert.equal(big.status, 413);
  assert.equal((await big.json()).code, 'request too large');
  // A gzip bomb: 20 MB that compresses to about 20 KB, well under the raw limit.
  const bomb = gzipSync(Buffer.alloc(20_000_000, 0x30), { level: 9 });
  assert.ok(bomb.length < 30000, `bomb is ${bomb.length} bytes`);
  const r = await post(viaVars, '/api/v2/write?bucket=b', bomb, { 'Content-Encoding': 'gzip' });
  assert.equal(r.status, 413);
  assert.match((await r.json()).message, /MAX_DECOMPRESSED_BYTES/);
});

test('more batches than MAX_SUBREQUESTS: 413 with a hint, nothing half-delivered', async () => {
  const r = await post(viaVars, '/api/v2/write?bucket=b', gzipSync(sampleLines(700)), { 'Content-Encoding': 'gzip' });
  assert.equal(r.status, 413);
  assert.match((await r.json()).message, /lower metric_batch_size in Telegraf so that one write makes at most 600 gauges/);
  assert.equal(api.received().gauges.length, 0);
  // The hint counts the config's batch_size, not Telegraf's default of 300.
  const small = await startWorker({
    WRITE_TOKEN, LIBRATO_USER_EMAIL: USER, LIBRATO_SECRET: TOKEN, MAX_SUBREQUESTS: '2',
    LIBRATO_CONFIG: `[[outputs.librato]]\n  api_user = "\${LIBRATO_USER_EMAIL}"\n  api_token = "@{env:LIBRATO_SECRET}"\n  api_url = "${api.url}"\n  batch_size = 100\n`,
  });
  try {
    const r2 = await post(small, '/api/v2/write?bucket=b', sampleLines(700));
    assert.equal(r2.status, 413);
    assert.match((await r2.json()).message, /needs more than 2 requests .* at most 200 gauges/);
  } finally {
    await small.close();
  }
});

test('/query checks the token before reading a body, and reads at most 64 KB', async () => {
  const huge = 'q=' + 'x'.repeat(200_000);
  const denied = await fetch(`${viaConfig.url}/query`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: huge });
  assert.equal(denied.status, 401);
  const big = await fetch(`${viaConfig.url}/query?u=a&p=${WRITE_TOKEN}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: huge });
  assert.equal(big.status, 413);
  assert.match(big.headers.get('x-influxdb-version'), /^librato-wasm-worker\//);
  const ok = await fetch(`${viaConfig.url}/query?u=a&p=${WRITE_TOKEN}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'q=CREATE+DATABASE+telegraf' });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { results: [{ statement_id: 0 }] });
});

test('a partial write delivers the good lines and names the bad ones (400)', async () => {
  const r = await post(viaConfig, '/api/v2/write?bucket=b', `a,host=h v=1 ${T}000000000\nnot a metric\nb,host=h v=2 ${T}000000000\n`);
  assert.equal(r.status, 400);
  const json = await r.json();
  assert.equal(json.code, 'invalid');
  assert.match(json.message, /^partial write: .*line 2:6/);
  assert.deepEqual(api.received().gauges.map((g) => g.name), ['a.v', 'b.v']);
  const v1 = await fetch(`${viaConfig.url}/write?db=x&p=${WRITE_TOKEN}`, { method: 'POST', body: 'bad' });
  assert.match((await v1.json()).error, /^partial write/, 'Telegraf\'s v1 output drops the batch on "partial write"');
});

test('Librato failing: 503 with Retry-After, and nothing is lost once the client retries', async () => {
  const input = sampleLines(400);
  // Two batches, one retry each: four 503s fail both.
  api.setFaults([{ status: 503, times: 4 }]);
  const first = await post(viaConfig, '/api/v2/write?bucket=b', input);
  assert.equal(first.status, 503);
  assert.equal(first.headers.get('retry-after'), '2');
  assert.match((await first.json()).message, /retry the write/);
  // The client (Telegraf) retries the whole write; re-sent gauges overwrite harmlessly.
  const second = await post(viaConfig, '/api/v2/write?bucket=b', input);
  assert.equal(second.status, 204);
  const keys = new Set(api.received().gauges.map((g) => `${g.name}|${g.source}|${g.measure_time}`));
  assert.equal(keys.size, 400);
});

test('Librato timing out: 503, then delivered on retry', async () => {
  api.setFaults([{ delayMs: 1500, times: 2 }]);
  const first = await post(viaConfig, '/api/v2/write?bucket=b', `m,host=h v=1 ${T}000000000\n`);
  assert.equal(first.status, 503);
  api.setFaults([]);
  const second = await post(viaConfig, '/api/v2/write?bucket=b', `m,host=h v=1 ${T}000000000\n`);
  assert.equal(second.status, 204);
  assert.ok(api.received().gauges.some((g) => g.name === 'm.v'));
});

test('/ping, /query CREATE DATABASE, /health', async () => {
  const ping = await fetch(viaConfig.url + '/ping');
  assert.equal(ping.status, 204);
  assert.ok(ping.headers.get('x-influxdb-version'));
  assert.equal((await fetch(viaConfig.url + '/ping', { method: 'HEAD' })).status, 204);
  const q = await fetch(`${viaConfig.url}/query`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Token ${WRITE_TOKEN}` },
    body: 'q=CREATE+DATABASE+%22telegraf%22',
  });
  assert.equal(q.status, 200);
  assert.deepEqual(await q.json(), { results: [{ statement_id: 0 }] });
  const other = await fetch(`${viaConfig.url}/query?q=SELECT+1&p=${WRITE_TOKEN}`);
  assert.equal(other.status, 400);
  const h = await fetch(viaConfig.url + '/health');
  assert.equal(h.status, 200);
  assert.equal((await h.json()).status, 'pass');
});

test('outputs.http: line protocol or Telegraf JSON by Content-Type; single vars config', async () => {
  const json = JSON.stringify({ metrics: [{ name: 'cpu', tags: { host: 'a', dc: 'x' }, fields: { idle: 99 }, timestamp: T }] });
  const r = await post(viaVars, '/telegraf', json, { 'Content-Type': 'application/json' });
  assert.equal(r.status, 204);
  assert.deepEqual(api.received().gauges, [{ name: 'cpu.idle', value: 99, source: 'a.x', measure_time: T }]);
});

test('LIBRATO_CONFIG references resolve from env: the API saw the right credentials', async () => {
  await post(viaConfig, '/api/v2/write?bucket=b', `m,host=h v=1 ${T}000000000\n`);
  assert.equal(api.received().requests[0].user, USER);
});

test('a refusal that cannot succeed (a 2xx naming errors, a 413) is a 400, never a 503 the client would resend', async () => {
  for (const fault of [
    { status: 202, body: { errors: { params: { name: ['is not valid'] } } }, store: false },
    { status: 413 },
    { status: 422 },
  ]) {
    api.clear();
    api.setFaults([fault]);
    const r = await post(viaConfig, '/api/v2/write?bucket=b', `m,host=h v=1 ${T}000000000\n`);
    assert.equal(r.status, 400, JSON.stringify(fault));
    assert.equal(r.headers.get('retry-after'), null);
    assert.match((await r.json()).message, /^Librato rejected 1 gauges: /);
    // Not retried by the relay either (the fault is used once: a retry would have been stored).
    assert.equal(api.received().gauges.length, 0);
  }
  // A retryable failure still says "retry".
  api.setFaults([{ status: 503, times: 2 }]);
  assert.equal((await post(viaConfig, '/api/v2/write?bucket=b', `m,host=h v=1 ${T}000000000\n`)).status, 503);
});
