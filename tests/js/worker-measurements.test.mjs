// The edge worker in real workerd (Miniflare) with `api = "measurements"`: InfluxDB clients'
// writes relayed to the strict local API's tagged endpoint with their tags.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { startWorker } from './worker-harness.mjs';

const USER = 'relay-tags@example.com';
const TOKEN = 'librato-tags-secret-2c9d';
const WRITE_TOKEN = 'write-token-tags-5a1';
let api;
let tagged; // LIBRATO_CONFIG with api = "measurements" and the token alone
let viaVars; // LIBRATO_API = "measurements" with the single vars

before(async () => {
  api = await startLibratoApi({ port: 0, user: USER, token: TOKEN });
  tagged = await startWorker({
    WRITE_TOKEN,
    LIBRATO_SECRET: TOKEN,
    LIBRATO_CONFIG: `[[outputs.librato]]
  api = "measurements"
  api_token = "@{env:LIBRATO_SECRET}"
  api_url = "${api.measurementsUrl}"
  body_format = "compact"
  tagexclude = ["secret_tag"]
  retries = 1
  retry_backoff = "10ms"
`,
  });
  viaVars = await startWorker({
    WRITE_TOKEN,
    LIBRATO_API: 'measurements',
    LIBRATO_API_USER: USER,
    LIBRATO_API_TOKEN: TOKEN,
    LIBRATO_API_URL: api.measurementsUrl,
  });
});
after(async () => {
  await Promise.all([tagged.close(), viaVars.close()]);
  await api.close();
});
beforeEach(() => { api.clear(); api.setFaults([]); });

const post = (worker, path, body) =>
  fetch(worker.url + path, { method: 'POST', headers: { Authorization: `Token ${WRITE_TOKEN}` }, body });

test('a v2 write goes to /v1/measurements with each metric\'s tags (the filters applied)', async () => {
  const body = [
    'cpu,host=web-1,cpu=cpu0,secret_tag=x usage_idle=97.5,usage_user=2i 1700000000000000000',
    'mem,host=web-2,Rack=R\\ 12 used=42 1700000060000000000',
  ].join('\n');
  const r = await post(tagged, '/api/v2/write?precision=ns', body);
  assert.equal(r.status, 204, await r.text());
  const got = api.received();
  assert.deepEqual(got.requests.map((q) => [q.path, q.user, q.count]), [['/v1/measurements', '(token)', 3]]);
  assert.deepEqual(got.measurements.map((m) => [m.name, m.value, m.time, m.tags]), [
    ['cpu.usage_idle', 97.5, 1700000000, { cpu: 'cpu0', host: 'web-1' }],
    ['cpu.usage_user', 2, 1700000000, { cpu: 'cpu0', host: 'web-1' }],
    ['mem.used', 42, 1700000060, { host: 'web-2', rack: 'r 12' }],
  ]);
});

test('v1 write with the single vars; a bad line is a partial write naming it, the good ones delivered', async () => {
  const r = await post(viaVars, '/write?precision=s', 'disk,host=a,path=/var used=1 1700000000\nnot a metric\nbare v=1 1700000000\n');
  assert.equal(r.status, 400);
  assert.match((await r.json()).error, /partial write: 1 line\(s\).*line 2:/);
  assert.deepEqual(api.received().measurements.map((m) => [m.name, m.tags]), [['disk.used', { host: 'a', path: '/var' }]]);
  assert.equal(api.received().requests[0].user, USER);
});

test('the API refusing the data itself is a 400 that names measurements; faults a 503', async () => {
  api.setFaults([{ status: 400, body: { errors: { params: { tags: ['is invalid'] } } } }]);
  let r = await post(viaVars, '/api/v2/write', 'm,host=a v=1 1700000000000000000');
  assert.equal(r.status, 400);
  assert.match((await r.json()).message, /Librato rejected 1 measurements: 400: tags is invalid/);
  api.setFaults([{ status: 503, times: 10 }]);
  r = await post(tagged, '/api/v2/write', 'm,host=a v=1 1700000000000000000');
  assert.equal(r.status, 503);
  assert.match((await r.json()).message, /delivery to Librato failed for 1 of 1 measurements/);
});

test('LIBRATO_API = "measurements" with a /v1/metrics LIBRATO_API_URL: refused, said by /health and by every write', async () => {
  const wrong = await startWorker({
    WRITE_TOKEN,
    LIBRATO_API: 'measurements',
    LIBRATO_API_USER: USER,
    LIBRATO_API_TOKEN: TOKEN,
    LIBRATO_API_URL: api.url,
  });
  try {
    const h = await fetch(wrong.url + '/health');
    assert.equal(h.status, 503);
    assert.match((await h.json()).message, /api_url ends in \/v1\/metrics.*set api_url to .*\/v1\/measurements/);
    const r = await post(wrong, '/api/v2/write?precision=s', 'm,host=h v=1 1700000000\n');
    assert.equal(r.status, 500);
    assert.match((await r.json()).message, /api = "measurements" posts to \/v1\/measurements/);
    assert.equal(api.received().requests.length, 0, 'nothing sent to the wrong path');
    assert.ok(!JSON.stringify(await (await fetch(wrong.url + '/health')).json()).includes(TOKEN));
  } finally {
    await wrong.close();
  }
});
