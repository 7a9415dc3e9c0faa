// LibratoOutput against the strict local Librato API over real HTTP on 127.0.0.1.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { LibratoOutput, render } from '../../pkg/node.js';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { sampleLines } from './helpers.mjs';

const USER = 'sender@example.com';
const TOKEN = 'tok-3f9a8c2e';
let api;
let logs = [];

before(async () => { api = await startLibratoApi({ port: 0, user: USER, token: TOKEN }); });
after(async () => { await api.close(); });
beforeEach(() => { api.clear(); api.setFaults([]); });

function output(extra = {}, options = {}) {
  return new LibratoOutput(
    { api_user: USER, api_token: TOKEN, api_url: api.url, retry_backoff: '20ms', ...extra },
    { log: (level, message) => logs.push([level, message]), ...options },
  );
}

/** The WriteReport guarantee: sent + failed counts = every gauge rendered. */
function assertAccounting(report, gauges) {
  const failed = report.failed.reduce((n, f) => n + f.count, 0);
  assert.equal(report.sent + failed, gauges, `sent ${report.sent} + failed ${failed} = ${gauges}`);
  for (const f of report.failed) assert.equal(JSON.parse(f.body).gauges.length, f.count);
}

const receivedKeys = () => api.received().gauges.map((g) => `${g.name}|${g.source}|${g.measure_time}|${g.value}`);

test('2,000 gauges go out as 7 requests, each received once with the right Basic auth', async () => {
  const input = sampleLines(1000, { fields: 2 });
  const plan = render(input);
  assert.equal(plan.gauges, 2000);
  const report = await output().write(input);
  assert.equal(report.ok, true);
  assert.equal(report.requests, 7);
  assert.equal(report.sent, 2000);
  assert.deepEqual(report.failed, []);
  assertAccounting(report, 2000);
  const got = api.received();
  assert.equal(got.requests.length, 7);
  assert.ok(got.requests.every((r) => r.user === USER));
  assert.deepEqual(got.requests.map((r) => r.count).sort((a, b) => a - b), [200, 300, 300, 300, 300, 300, 300]);
  const want = plan.requests.flatMap((r) => JSON.parse(r.body).gauges).map((g) => `${g.name}|${g.source}|${g.measure_time}|${g.value}`);
  assert.deepEqual(receivedKeys().sort(), want.sort());
  assert.equal(new Set(receivedKeys()).size, 2000, 'no gauge received twice');
});

test('body_format = "compact": the API stores the same gauges as from Telegraf-shaped bodies, sent in fewer bytes', async () => {
  // As Telegraf flushes them: runs of lines from one host at one time (sharing the top of
  // their body), with a host or a second changing inside a body now and then.
  const input = Array.from({ length: 700 }, (_, i) =>
    `m${i % 7},host=h${Math.floor(i / 100)} f0=${i}.5,f1=${i}i ${(1_700_000_000 + Math.floor(i / 110)) * 1e9}`).join('\n');
  const telegraf = render(input);
  const compact = render(input, { body_format: 'compact' });
  assert.equal(compact.gauges, telegraf.gauges);
  const bytes = (plan) => plan.requests.reduce((n, r) => n + r.body.length, 0);
  assert.ok(bytes(compact) < bytes(telegraf) * 0.8, `${bytes(compact)} vs ${bytes(telegraf)}`);
  assert.match(compact.requests[0].body, /^\{"source":"h0","measure_time":1700000000,"gauges":\[\{"name":"m0\.f0","value":0\.5\},/);
  assert.match(compact.requests[0].body, /\{"name":"m5\.f0","value":5\.5\},\{"name":"m5\.f1","value":5\}.*"value":100\.5,"source":"h1"\}.*"value":110\.5,"source":"h1","measure_time":1700000001\}/);

  const sent = await output({ body_format: 'compact' }).write(input);
  assert.equal(sent.ok, true);
  assertAccounting(sent, telegraf.gauges);
  const viaCompact = receivedKeys().sort();
  api.clear();
  assert.equal((await output().write(input)).ok, true);
  assert.deepEqual(viaCompact, receivedKeys().sort());
  assert.equal(viaCompact.length, telegraf.gauges);
});

test('every 400 body shape becomes one readable message, and is not retried', async () => {
  const shapes = [
    [{ errors: { params: { name: ['"x y" is not a valid metric name'] } } }, '400: name "x y" is not a valid metric name'],
    [{ errors: { params: { measure_time: ['is too far in the past'] } }, request_time: 1 }, '400: measure_time is too far in the past'],
    [{ errors: { request: ['Please provide credentials for authentication.'] } }, '400: Please provide credentials for authentication.'],
    [{ errors: { system: ['Something broke.'] } }, '400: Something broke.'],
    [{ errors: ['first', 'second'] }, '400: first; second'],
    [{ error: 'You have hit the API limit for measurements' }, '400: You have hit the API limit for measurements'],
    [{ code: 400, message: 'Unable to process JSON' }, '400: Unable to process JSON'],
  ];
  for (const [body, message] of shapes) {
    api.setFaults([{ status: 400, body }]);
    const report = await output().write(sampleLines(3));
    assert.equal(report.ok, false);
    assert.equal(report.failed.length, 1);
    assert.equal(report.failed[0].message, message);
    assert.equal(report.failed[0].status, 400);
    assert.equal(report.failed[0].attempts, 1);
    assert.equal(report.failed[0].retryable, false);
    assertAccounting(report, 3);
  }
});

test("the API's own 400 for an invalid gauge reads as a message and resend does not retry it", async () => {
  const body = JSON.stringify({ gauges: [{ name: 'x y', value: 1, source: 'h', measure_time: 1700000000 }] });
  const report = await output().resend([{ body, count: 1 }]);
  assert.equal(report.failed[0].message, '400: name "x y" is not a valid metric name');
  assert.equal(report.failed[0].attempts, 1);
  assert.equal(api.received().gauges.length, 0);
});

test('401: no retry, and the remaining batches are reported failed without being sent', async () => {
  const out = new LibratoOutput({ api_user: USER, api_token: 'wrong-token', api_url: api.url, batch_size: 10, concurrency: 1 });
  const report = await out.write(sampleLines(30));
  assert.equal(report.ok, false);
  assert.equal(report.sent, 0);
  assert.equal(report.failed.length, 3);
  assert.deepEqual(report.failed.map((f) => [f.status, f.attempts, f.retryable]), [[401, 1, false], [null, 0, false], [null, 0, false]]);
  assert.match(report.failed[0].message, /^401: Authorization failed/);
  assert.match(report.failed[1].message, /not sent: an earlier request was refused with 401/);
  assertAccounting(report, 30);
  assert.equal(report.attempts, 1, 'only the first request reached the API');
});

test('429 with Retry-After: 1 waits, then succeeds', async () => {
  api.setFaults([{ status: 429, retryAfter: 1 }]);
  const started = Date.now();
  const report = await output().write(sampleLines(5));
  const elapsed = Date.now() - started;
  assert.equal(report.ok, true);
  assert.equal(report.attempts, 2);
  assert.ok(elapsed >= 950, `waited ${elapsed} ms`);
  assert.equal(api.received().gauges.length, 5);
  assertAccounting(report, 5);
  assert.ok(logs.some(([l, m]) => l === 'warn' && /429.*retrying in 1000 ms/.test(m)));
});

test('503, 503, 200 succeeds on the third attempt', async () => {
  api.setFaults([{ status: 503, times: 2 }]);
  const report = await output().write(sampleLines(4));
  assert.equal(report.ok, true);
  assert.equal(report.attempts, 3);
  assert.equal(api.received().gauges.length, 4);
  assertAccounting(report, 4);
});

test('a response slower than the timeout is retried', async () => {
  api.setFaults([{ delayMs: 1500 }]);
  const report = await output({ timeout: '300ms' }).write(sampleLines(2));
  assert.equal(report.ok, true);
  assert.equal(report.attempts, 2);
  assert.ok(logs.some(([, m]) => /timed out after 300ms/.test(m)));
  assertAccounting(report, 2);
});

test('a dropped connection is retried', async () => {
  api.setFaults([{ drop: true }]);
  const report = await output().write(sampleLines(2));
  assert.equal(report.ok, true);
  assert.equal(report.attempts, 2);
  assert.equal(api.received().gauges.length, 2);
  assert.ok(logs.some(([, m]) => /network error/.test(m)));
});

test('retries exhausted: failed holds the exact bodies, and resend delivers them', async () => {
  const input = sampleLines(700);
  const plan = render(input);
  api.setFaults([{ status: 500, times: 100 }]);
  const report = await output({ retries: 2, concurrency: 2 }).write(input);
  assert.equal(report.ok, false);
  assert.equal(report.sent, 0);
  assert.equal(report.failed.length, 3);
  assert.deepEqual(report.failed.map((f) => f.body), plan.requests.map((r) => r.body), 'exact bodies, in order');
  assert.ok(report.failed.every((f) => f.status === 500 && f.attempts === 3 && f.retryable));
  assertAccounting(report, 700);
  api.setFaults([]);
  const again = await output().resend(report.failed);
  assert.equal(again.ok, true);
  assert.equal(again.sent, 700);
  assert.deepEqual(again.skipped, []);
  assert.equal(api.received().gauges.length, 700);
});

test('200 with a garbage body still acknowledges the batch', async () => {
  api.setFaults([{ status: 200, body: '<<not json>>' }]);
  const report = await output().write(sampleLines(3));
  assert.equal(report.ok, true);
  assert.equal(api.received().gauges.length, 3);
});

test('api = "metrics": a 2xx naming errors fails that batch, unretried, refused with the API\'s message', async () => {
  api.setFaults([{ status: 200, body: { errors: { params: { name: ['is not a valid metric name'] } } }, store: false }]);
  const report = await output({ batch_size: 2, concurrency: 1, retries: 2 }).write(sampleLines(4));
  assert.equal(report.ok, false);
  assert.equal(report.sent, 2);
  assert.equal(report.attempts, 2, 'not retried');
  const f = report.failed[0];
  assert.deepEqual([f.status, f.retryable, f.disposition, f.count], [200, false, 'refused', 2]);
  assert.match(f.message, /is not a valid metric name/);
  assertAccounting(report, 4);
});

test('bounded concurrency, and options.fetch is the transport', async () => {
  let inFlight = 0;
  let peak = 0;
  let calls = 0;
  const countingFetch = async (url, init) => {
    calls++;
    inFlight++;
    peak = Math.max(peak, inFlight);
    try { return await fetch(url, init); } finally { inFlight--; }
  };
  const report = await output({ concurrency: 3, batch_size: 10 }, { fetch: countingFetch }).write(sampleLines(200));
  assert.equal(report.ok, true);
  assert.equal(calls, 20);
  assert.equal(peak, 3);
});

test('rate-limit headers are surfaced in the report', async () => {
  const report = await output().write(sampleLines(1));
  assert.equal(typeof report.rateLimit.std.remaining, 'number');
  assert.equal(typeof report.rateLimit.agg.limit, 'number');
});

test('debug logs show bodies and responses but never the credentials', async () => {
  logs = [];
  api.setFaults([{ status: 503 }, { status: 400, body: { errors: { request: [`bad token ${TOKEN} for ${USER}`] } } }]);
  const out = output({ debug: true, batch_size: 2, concurrency: 1 });
  const report = await out.write(sampleLines(4));
  assert.ok(logs.some(([l, m]) => l === 'debug' && m.includes('"gauges"')));
  assert.ok(logs.some(([l, m]) => l === 'debug' && m.startsWith('response')));
  const everything = JSON.stringify(logs) + JSON.stringify(report);
  const basic = Buffer.from(`${USER}:${TOKEN}`).toString('base64');
  for (const secret of [USER, TOKEN, basic]) assert.ok(!everything.includes(secret), `${secret} leaked`);
  assert.match(report.failed[0].message, /\[redacted\]/);
});

test('secrets resolve @{store:key} references at send time', async () => {
  const out = new LibratoOutput(
    { api_user: '@{vault:user}', api_token: '@{vault:token}', api_url: api.url },
    { secrets: { 'vault:user': USER, 'vault:token': TOKEN } },
  );
  const report = await out.write(sampleLines(2));
  assert.equal(report.ok, true);
  assert.equal(api.received().requests[0].user, USER);
});

test('a write with nothing to send makes no request', async () => {
  const report = await output().write('m,host=h s="only a string" 1700000000000000000\n');
  assert.deepEqual([report.ok, report.sent, report.requests, report.attempts], [true, 0, 0, 0]);
  assert.equal(report.skipped[0].reason, 'string_value');
  assert.equal(api.received().requests.length, 0);
});
