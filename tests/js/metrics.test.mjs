// LibratoMetrics in Node with an injected clock, against the strict local API over real HTTP
// on 127.0.0.1: periods, flush/stop/start, both APIs, faults and resend, bad input.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { LibratoMetrics } from '../../pkg/node.js';
import { startLibratoApi } from '../../dev/librato-api.mjs';

const USER = 'metrics@example.com';
const TOKEN = 'tok-metrics-4b2e';
const T0 = 1_764_000_000_000; // ms, a multiple of 60 s
let api;
let now;
let logs;

before(async () => { api = await startLibratoApi({ port: 0, user: USER, token: TOKEN }); });
after(async () => { await api.close(); });
beforeEach(() => { api.clear(); api.setFaults([]); now = T0; logs = []; });

function metrics(config = {}, options = {}) {
  return new LibratoMetrics(
    { api_user: USER, api_token: TOKEN, api_url: api.url, retry_backoff: '10ms', ...config },
    { now: () => now, log: (level, message) => logs.push([level, message]), ...options },
  );
}

test('a period is sent once it has ended, one summary per series, at the period start', async () => {
  const m = metrics({}, { prefix: 'svc.', source: 'web-1' });
  m.measure('latency', 10);
  now += 20_000;
  m.measure('latency', 30);
  m.timing('latency', 20);
  m.increment('requests');
  m.increment('requests', 4);
  m.measure('queue', 7, { source: 'worker 2' });
  now = T0 + 59_999;
  let r = await m.flush();
  assert.deepEqual([r.ok, r.sent, r.requests], [true, 0, 0], 'the period has not ended');
  now = T0 + 60_000;
  r = await m.flush();
  assert.deepEqual([r.ok, r.sent, r.requests], [true, 3, 1]);
  const t = T0 / 1000;
  assert.deepEqual(api.received().gauges, [
    { name: 'svc.latency', value: undefined, source: 'web-1', measure_time: t, count: 3, sum: 60, min: 10, max: 30, sum_squares: 1400, period: 60 },
    { name: 'svc.requests', value: 5, source: 'web-1', measure_time: t, period: 60 },
    { name: 'svc.queue', value: 7, source: 'worker-2', measure_time: t, period: 60 },
  ]);
  r = await m.flush({ all: true });
  assert.equal(r.sent, 0, 'nothing is sent twice');
  // A period with no increments sends nothing for that series.
  now += 60_000;
  m.measure('latency', 1);
  now += 60_000;
  await m.flush();
  assert.deepEqual(api.received().gauges.slice(3).map((g) => [g.name, g.value]), [['svc.latency', 1]]);
});

test('api = "measurements": tags merged under the call\'s, count/sum/min/max/last/stddev', async () => {
  const m = metrics({ api: 'measurements', api_url: api.measurementsUrl }, { tags: { service: 'api', region: 'eu' } });
  for (const v of [2, 4, 4, 4, 5, 5, 7, 9]) m.measure('latency', v, { tags: { route: '/users', region: 'us' } });
  m.increment('hits', 1, { tags: { route: '/users' } });
  const r = await m.flush({ all: true });
  assert.equal(r.ok, true, JSON.stringify(r.failed));
  const got = api.received().measurements.map(({ series, ...rest }) => rest);
  assert.deepEqual(got, [
    { name: 'latency', tags: { region: 'us', route: '/users', service: 'api' }, time: T0 / 1000, count: 8, sum: 40, min: 2, max: 9, last: 9, stddev: 2, period: 60 },
    { name: 'hits', tags: { region: 'eu', route: '/users', service: 'api' }, time: T0 / 1000, value: 1, period: 60 },
  ]);
  // A series left without tags is reported, not sent.
  const bare = metrics({ api: 'measurements', api_url: api.measurementsUrl });
  bare.measure('x', 1);
  bare.measure('x', 2);
  const r2 = await bare.flush({ all: true });
  assert.deepEqual(r2.skipped.map((s) => [s.metric, s.reason, s.count]), [['x', 'no_tags', 2]]);
});

test('samples recorded while a flush is in flight go to open periods; concurrent flushes do not double-send', async () => {
  api.setFaults([{ delayMs: 200 }]);
  const m = metrics();
  m.measure('a', 1);
  now += 60_000;
  const first = m.flush();
  const second = m.flush();
  m.measure('a', 2); // the new period, while the first flush waits for the API
  const [r1, r2] = await Promise.all([first, second]);
  assert.equal(r1.sent + r2.sent, 1);
  now += 60_000;
  await m.flush();
  assert.deepEqual(api.received().gauges.map((g) => [g.value, g.measure_time]), [[1, T0 / 1000], [2, T0 / 1000 + 60]]);
});

test('faults: every summary is acknowledged or inside its exact body in failed, and resend sends it', async () => {
  api.setFaults([{ status: 503, times: 10 }]);
  const m = metrics({ retries: 1, batch_size: 2 });
  for (let i = 0; i < 5; i++) m.measure(`m${i}`, i);
  const r = await m.flush({ all: true });
  assert.equal(r.ok, false);
  assert.equal(r.sent + r.failed.reduce((n, f) => n + f.count, 0), 5);
  for (const f of r.failed) assert.equal(JSON.parse(f.body).gauges.length, f.count);
  api.setFaults([]);
  const again = await m.resend(r.failed);
  assert.equal(again.ok, true);
  assert.equal(api.received().gauges.length, 5);
});

test('bad input is not kept and is reported in the next flush, with a count per name', async () => {
  const m = metrics({}, { maxSeries: 2 });
  m.measure('ok', 1);
  m.measure('nan', NaN);
  m.measure('nan', Infinity);
  m.measure('', 1);
  m.measure('src', 1, { source: 'all' });
  m.measure('ok2', 1);
  m.measure('third', 1);
  m.measure('third', 2);
  m.measure('n'.repeat(300), 1);
  const r = await m.flush({ all: true });
  assert.equal(r.sent, 2);
  assert.deepEqual(r.skipped.map((s) => [s.metric.slice(0, 5), s.reason, s.count]), [
    ['nan', 'non_finite', 2],
    ['', 'empty_name', 1],
    ['src', 'reserved_source', 1],
    ['nnnnn', 'name_too_long', 1],
    ['third', 'too_many_series', 2],
  ]);
  assert.ok(logs.some(([l, msg]) => l === 'warn' && /maxSeries/.test(msg)), 'one warn line');
  assert.deepEqual((await m.flush({ all: true })).skipped, [], 'reported once');
});

test('time() measures a function and a promise and returns their results; stop() sends everything', async () => {
  const m = metrics();
  assert.equal(m.time('sync', () => 42), 42);
  assert.equal(await m.time('async', () => new Promise((r) => setTimeout(() => r('done'), 30))), 'done');
  await assert.rejects(m.time('failing', async () => { throw new Error('boom'); }), /boom/);
  const r = await m.stop();
  assert.equal(r.sent, 3);
  const byName = Object.fromEntries(api.received().gauges.map((g) => [g.name, g.value]));
  assert.ok(byName.async >= 25 && byName.async < 1000, `${byName.async} ms`);
  assert.ok(byName.sync >= 0 && byName.sync < 50);
});

test('start(): a timer flushes each period as it ends (real clock, 1 s periods)', async () => {
  const m = new LibratoMetrics({ api_user: USER, api_token: TOKEN, api_url: api.url }, { period: 1 });
  m.start();
  m.increment('ticks', 3);
  await new Promise((r) => setTimeout(r, 2200));
  assert.deepEqual(api.received().gauges.map((g) => [g.name, g.value, g.period]), [['ticks', 3, 1]]);
  await m.stop();
});

test('ever new names stay bounded: the series table is rebuilt and later samples still land right', async () => {
  const m = metrics({}, { maxSeries: 5 });
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 12; i++) m.measure(`r${round}.n${i}`, i);
    m.measure('steady', round);
    now += 60_000;
    const r = await m.flush();
    assert.equal(r.sent, 5, `round ${round}: maxSeries series sent`);
  }
  const steady = api.received().gauges.filter((g) => g.name === 'steady');
  assert.deepEqual(steady, [], 'steady came 13th each period: counted, not kept');
  const names = api.received().gauges.map((g) => g.name);
  assert.equal(new Set(names).size, names.length, 'no series sent twice');
  assert.deepEqual(names.slice(-5), ['r3.n0', 'r3.n1', 'r3.n2', 'r3.n3', 'r3.n4']);
});

for (const tagged of [false, true]) {
  test(`${tagged ? 'measurements' : 'metrics'} API: flush({ all: true }) mid-period, then more samples: that period is never sent twice`, async () => {
    const m = tagged ? metrics({ api: 'measurements', api_url: api.measurementsUrl }, { tags: { host: 'h' } }) : metrics({}, { source: 'h' });
    const list = () => (tagged ? api.received().measurements : api.received().gauges);
    const timeKey = tagged ? 'time' : 'measure_time';
    now = T0 + 10_000;
    m.increment('hits', 5);
    m.measure('lat', 1);
    m.measure('lat', 3);
    assert.equal((await m.flush({ all: true })).sent, 2);
    now = T0 + 20_000; // the same period
    m.increment('hits', 7);
    m.measure('lat', 10);
    assert.equal((await m.stop()).sent, 2);
    now = T0 + 30_000; // still the same period, after stop()
    m.increment('hits', 1);
    now = T0 + 200_000;
    await m.flush();
    const seen = list().map((x) => `${x.name}@${x[timeKey]}`);
    assert.equal(new Set(seen).size, seen.length, `a series and time sent twice: ${seen}`);
    const hits = list().filter((x) => x.name === 'hits');
    assert.deepEqual(hits.map((x) => [x.value, x[timeKey] - T0 / 1000]), [[5, 0], [7, 60], [1, 120]]);
    const lat = list().filter((x) => x.name === 'lat');
    assert.deepEqual(lat.map((x) => [x.count ?? 1, x.sum ?? x.value, x[timeKey] - T0 / 1000]), [[2, 4, 0], [1, 10, 60]]);
  });
}

test('maxSeries bounds memory: 300,000 new names with maxSeries 100 hold no more series and give one skipped entry', async () => {
  const m = metrics({}, { maxSeries: 100 });
  const heap = () => { globalThis.gc?.(); return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers; };
  for (let i = 0; i < 1000; i++) m.measure(`warm${i}`, 1);
  await m.flush({ all: true });
  const before = heap();
  for (let i = 0; i < 300_000; i++) m.measure(`req.${i}`, i);
  const grown = heap() - before;
  const r = await m.flush({ all: true });
  assert.equal(r.sent, 100);
  assert.equal(r.skipped.length, 1, 'one too_many_series entry, not one per name');
  const [s] = r.skipped;
  assert.deepEqual([s.reason, s.count], ['too_many_series', 299_900]);
  assert.match(s.message, /past maxSeries \(100\).*\(e\.g\. req\.200, req\.201/);
  // Before: ~200 MB. The names themselves are garbage once refused.
  assert.ok(grown < 40e6, `grew ${(grown / 1e6).toFixed(1)} MB`);
});

test('a flush without credentials takes nothing out: the period waits for a flush that can send it', async () => {
  const m = new LibratoMetrics({ api_user: USER, api_token: '@{vault:token}', api_url: api.url }, { now: () => now, secrets: {} });
  m.measure('kept', 1);
  now += 60_000;
  await assert.rejects(m.flush(), /vault:token/);
  await assert.rejects(m.flush(), /vault:token/, 'the period is still there: it is not lost');
});

test('a timed flush that fails is reported to onReport and kept for stop()\'s report', async () => {
  const reports = [];
  const m = new LibratoMetrics({ api_user: USER, api_token: TOKEN, api_url: api.url, retries: 0 }, { period: 1, onReport: (r) => reports.push(r) });
  api.setFaults([{ status: 503, times: 1 }]);
  m.start();
  m.increment('ticks', 3);
  await new Promise((r) => setTimeout(r, 2200));
  assert.equal(reports.length >= 1, true, 'onReport called');
  assert.equal(reports[0].ok, false);
  assert.equal(reports[0].failed[0].status, 503);
  m.increment('later', 1);
  const r = await m.stop();
  assert.equal(r.ok, false, "stop()'s report carries the timer's failure");
  assert.equal(r.failed.length, 1);
  assert.match(r.failed[0].body, /"ticks"/);
  assert.equal((await m.resend(r.failed)).ok, true);
  assert.ok(api.received().gauges.some((g) => g.name === 'ticks' && g.value === 3));
});

test('what timed flushes could not deliver is held up to 8 MB of bodies; the rest is counted in stop()\'s report', async () => {
  const period = 60_000;
  let t = 1_700_000_000_000 - (1_700_000_000_000 % period) + period - 1; // each timer wait ~6 ms
  const reports = [];
  const m = new LibratoMetrics({ api_user: USER, api_token: TOKEN, api_url: api.url, retries: 0 },
    { now: () => t, onReport: (r) => { if (r.failed.length) reports.push(r); } });
  api.setFaults([{ status: 503, times: 100_000 }]);
  const long = 'x'.repeat(180);
  const rounds = 12;
  const perRound = 5000;
  m.start();
  for (let k = 0; k < rounds; k++) {
    for (let i = 0; i < perRound; i++) m.measure(`held.${long}.${i}`, i);
    t += period;
    for (const until = Date.now() + 10_000; reports.length < k + 1;) {
      assert.ok(Date.now() < until, `round ${k}: no timed flush reported`);
      await new Promise((res) => setTimeout(res, 5));
    }
  }
  const r = await m.stop();
  const heldChars = r.failed.reduce((n, f) => n + f.body.length, 0);
  assert.ok(heldChars <= 8 * 2 ** 20, `held ${heldChars} chars`);
  assert.ok(heldChars > 6 * 2 ** 20, 'the newest failures are kept up to the limit');
  const dropped = r.skipped.find((x) => x.reason === 'held_dropped');
  assert.ok(dropped, 'what was let go is said');
  // Nothing is lost silently: what is held plus what was let go is every measurement.
  assert.equal(r.failed.reduce((n, f) => n + f.count, 0) + dropped.count, rounds * perRound);
  // The oldest were let go: the last round's bodies are held.
  assert.ok(r.failed.some((f) => f.body.includes(`"held.${long}.${perRound - 1}"`)));
});

for (const tagged of [false, true]) {
  test(`percentiles (${tagged ? 'measurements' : 'metrics'} API): name.90 as statsd-librato-backend sends it, stored by the strict API`, async () => {
    const m = tagged
      ? metrics({ api: 'measurements', api_url: api.measurementsUrl }, { tags: { host: 'h' }, percentiles: [90, 99] })
      : metrics({}, { source: 'h', percentiles: [90, 99] });
    const values = [12, 3, 7, 1, 9, 4, 30, 2, 8, 5];
    for (const v of values) m.timing('api.latency', v);
    m.increment('hits', 2);
    const r = await m.flush({ all: true });
    assert.equal(r.ok, true, JSON.stringify(r.failed));
    const list = tagged ? api.received().measurements : api.received().gauges;
    const byName = Object.fromEntries(list.map((x) => [x.name, x]));
    assert.deepEqual(Object.keys(byName).sort(), ['api.latency', 'api.latency.90', 'api.latency.99', 'hits']);
    // Sorted: 1 2 3 4 5 7 8 9 12 30; 90 keeps 10 - round(1) = 9, 99 keeps 10 - round(0.1) = 10.
    const p90 = byName['api.latency.90'];
    assert.deepEqual([p90.count, p90.sum, p90.min, p90.max], [9, 51, 1, 12]);
    const p99 = byName['api.latency.99'];
    assert.deepEqual([p99.count, p99.sum, p99.max], [10, 81, 30]);
    if (tagged) {
      const mean = 51 / 9;
      const sd = Math.sqrt([1, 2, 3, 4, 5, 7, 8, 9, 12].reduce((s, v) => s + (v - mean) ** 2, 0) / 8);
      assert.ok(Math.abs(p90.stddev_m2 - sd) < 1e-12, `${p90.stddev_m2} vs ${sd}`);
    } else {
      assert.equal(p90.sum_squares, [1, 2, 3, 4, 5, 7, 8, 9, 12].reduce((s, v) => s + v * v, 0));
    }
  });
}

test('percentiles: options are checked; past maxSamples an estimate with a percentile_estimated note', async () => {
  for (const bad of [[0], [100], ['90'], 90, [NaN]]) {
    assert.throws(() => metrics({}, { percentiles: bad }), (e) => e.code === 'invalid_options' && /percentiles/.test(e.message), String(bad));
  }
  const m = metrics({}, { percentiles: [50], maxSamples: 100 });
  for (let i = 1; i <= 1000; i++) m.measure('big', i);
  const r = await m.flush({ all: true });
  assert.deepEqual(r.skipped.map((s) => [s.metric, s.reason, s.count]), [['big', 'percentile_estimated', 900]]);
  const p50 = api.received().gauges.find((g) => g.name === 'big.50');
  assert.equal(p50.count, 500);
  assert.ok(Math.abs(p50.max - 500) <= 5, `${p50.max}`);
});
