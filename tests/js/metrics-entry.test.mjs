// librato-wasm/metrics (LibratoMetrics alone over its own small .wasm) against the main entry's
// LibratoMetrics: the same calls send byte-identical bodies to the strict local API over real
// HTTP on 127.0.0.1, give the same reports and the same errors; a config is an object only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { LibratoMetrics as Main } from '../../pkg/node.js';
// The Node entry as the package ships it (pkg/metrics/node.js bundled with its glue), and its
// source, whose glue module is where the wasm memory can be read.
import { LibratoMetrics as Small } from '../../pkg/dist/metrics-node.js';
import { LibratoMetrics as SmallSource } from '../../pkg/metrics/node.js';
import { startLibratoApi } from '../../dev/librato-api.mjs';

const USER = 'entry@example.com';
const TOKEN = 'tok-entry-71c0';
const T0 = 1_764_000_000_000;

/**
 * Runs `calls` on a new instance of `Class` against a new local API (its rate-limit budget
 * starts full each time) and returns every request made, every report and what the API kept.
 */
async function run(Class, config, options, calls, faults = []) {
  const startedS = Date.now() / 1000;
  const api = await startLibratoApi({ port: 0, user: USER, token: TOKEN });
  api.setFaults(faults);
  const url = { legacy: api.url, measurements: api.measurementsUrl }[config.api ?? 'legacy'];
  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    const headers = Object.fromEntries(new Headers(init.headers));
    sent.push({ url: String(url), method: init.method, headers, body: new TextDecoder().decode(init.body) });
    return realFetch(url, init);
  };
  try {
    const clock = { now: T0 };
    const logs = [];
    const m = new Class(
      { api_user: USER, api_token: TOKEN, api_url: url, retry_backoff: '5ms', ...config },
      { now: () => clock.now, log: (level, message) => logs.push([level, message]), ...options },
    );
    const reports = [];
    await calls(m, clock, async (arg) => {
      const r = await m.flush(arg);
      // The API's window resets a minute after this run's API started (wall clock, so two
      // runs may straddle a second): checked here, then compared without it.
      for (const k of ['std', 'agg']) {
        const limit = r.rateLimit?.[k];
        if (!limit) continue;
        assert.ok(limit.reset >= Math.floor(startedS) + 60 && limit.reset <= Math.ceil(Date.now() / 1000) + 60, `${k} reset ${limit.reset}`);
        limit.reset = '<a minute after the API started>';
      }
      reports.push({ ...r, elapsedMs: undefined });
    });
    const { gauges, measurements } = api.received();
    // The port differs between the two runs.
    for (const s of sent) s.url = s.url.replace(url, '<api>');
    return { sent, reports, logs, gauges, measurements };
  } finally {
    globalThis.fetch = realFetch;
    await api.close();
  }
}

async function scenario(m, clock, flush) {
  for (let i = 1; i <= 250; i++) m.timing('db.query', (i * 7919) % 1000 / 10, { tags: { table: i % 2 ? 'users' : 'orders' } });
  m.increment('requests');
  m.increment('requests', 4, { source: 'web 2' });
  m.increment('requests', 2, { tags: { route: '/a' } });
  m.measure('queue.depth', 12.5);
  m.measure('queue.depth', 3);
  m.measure('bad name with spaces and ünïcode', 1);
  m.measure('', 1);
  m.measure('nan', NaN);
  for (let i = 0; i < 40; i++) m.increment(`many.${i}`);
  clock.now += 30_000;
  m.measure('late', 0.1 + 0.2);
  await flush();
  clock.now += 60_000;
  await flush();
  m.timing('after.wait', 3);
  await flush({ all: true });
}

for (const [api_, options] of [
  ['legacy', { prefix: 'app.', source: 'host-1', percentiles: [50, 90, 99.9] }],
  ['measurements', { prefix: 'app.', tags: { service: 'api' }, percentiles: [90], maxSeries: 30 }],
]) {
  test(`${api_}: the same calls send byte-identical bodies from both entries, with the same reports and logs`, async () => {
    const config = api_ === 'measurements' ? { api: 'measurements' } : {};
    const main = await run(Main, config, options, scenario);
    const small = await run(Small, config, options, scenario);
    assert.ok(main.sent.length >= 2, `requests were made: ${main.sent.length}`);
    assert.deepEqual(small.sent, main.sent);
    assert.deepEqual(small.reports, main.reports);
    assert.deepEqual(small.logs, main.logs);
    assert.deepEqual(small.gauges, main.gauges);
    assert.deepEqual(small.measurements, main.measurements);
    assert.ok(main.gauges.length + main.measurements.length > 10, 'the API accepted them');
    assert.ok(main.reports.every((r) => r.ok), JSON.stringify(main.reports.map((r) => r.failed)));
    assert.ok(main.reports.some((r) => r.skipped.length > 0), 'the bad input was reported');
  });
}

test('faults: both entries report the same failed bodies, and resend delivers them', async () => {
  const out = [];
  for (const Class of [Main, Small]) {
    const got = await run(Class, { retries: 1, batch_size: 2, concurrency: 1 }, {}, async (m, clock, flush) => {
      for (let i = 0; i < 5; i++) m.measure(`m${i}`, i);
      await flush({ all: true });
    }, [{ status: 503, times: 4 }]);
    const [r] = got.reports;
    assert.equal(r.ok, false);
    assert.equal(r.sent + r.failed.reduce((n, f) => n + f.count, 0), 5);
    // One request at a time, so the faults meet the same requests in both runs (the logs
    // differ only in the jittered retry waits).
    out.push({ bodies: got.sent.map((s) => s.body), reports: got.reports, gauges: got.gauges });
  }
  assert.deepEqual(out[1], out[0]);
  // What one entry could not send, the other resends: the bodies are the same bytes.
  const api = await startLibratoApi({ port: 0, user: USER, token: TOKEN });
  try {
    const other = new Small({ api_user: USER, api_token: TOKEN, api_url: api.url }, {});
    const again = await other.resend(out[0].reports[0].failed);
    assert.equal(again.ok, true);
    assert.equal(api.received().gauges.length + out[0].gauges.length, 5);
  } finally {
    await api.close();
  }
});

test('a config is an object: TOML text is an invalid_config error that names the main entry', () => {
  const toml = `[[outputs.librato]]\n  api_user = "${USER}"\n  api_token = "${TOKEN}"\n`;
  assert.throws(() => new Small(toml), (e) => {
    assert.equal(e.code, 'invalid_config');
    assert.match(e.message, /object/);
    assert.match(e.message, /from 'librato-wasm'/);
    assert.ok(!e.message.includes(TOKEN), 'no credential in the error');
    return true;
  });
  // The main entry reads the same text.
  assert.equal(typeof new Main(toml).flush, 'function');
});

test('Telegraf filter keys are refused by both entries, naming the key (LibratoMetrics does not filter)', () => {
  for (const Class of [Main, Small]) {
    // Refused on sight, whatever the value (even an empty list or a wrong type), and before
    // the keys after it are read.
    for (const [key, value] of [
      ['namepass', ['cpu*']], ['tagdrop', { host: ['a*'] }], ['fieldinclude', ['x']],
      ['namedrop', []], ['tagpass', 5], ['name_prefix', 'p_'],
    ]) {
      assert.throws(() => new Class({ api_token: TOKEN, [key]: value, retries: 'x' }), (e) => {
        assert.equal(e.code, 'invalid_config', `${Class === Main ? 'main' : 'metrics'}: ${key}`);
        assert.equal(e.key, key);
        assert.match(e.message, new RegExp(`^${key}: LibratoMetrics does not apply Telegraf's filters`));
        return true;
      });
    }
  }
});

test('bad configs and options give the same errors from both entries, and each keeps working after them', async () => {
  const bad = [
    [{ api_token: TOKEN, api: 'graphite' }, {}],
    [{ api_token: TOKEN, api_url: 'ftp://x' }, {}],
    [{ api_token: TOKEN, timeout: 'soon' }, {}],
    [{ api_token: TOKEN, template: 42 }, {}],
    [{ api_token: TOKEN }, { period: -1 }],
    [{ api_token: TOKEN }, { percentiles: [100] }],
    [{ api_token: TOKEN }, { maxSeries: 'many' }],
    [{ api_token: TOKEN }, { tags: { region: 5 } }],
    [{ api_token: TOKEN }, { secrets: { 'vault:t': 5 } }],
    [[], {}],
    [{ api_token: TOKEN, unknown_key: 1 }, {}],
  ];
  for (const [config, options] of bad) {
    const errors = [Main, Small].map((Class) => {
      try {
        new Class(config, options);
        return null;
      } catch (e) {
        return { code: e.code, message: e.message, key: e.key, name: e.name };
      }
    });
    assert.ok(errors[0], `main refuses ${JSON.stringify([config, options])}`);
    assert.deepEqual(errors[1], errors[0], JSON.stringify([config, options]));
  }
  const { reports } = await run(Small, {}, {}, async (m, clock, flush) => {
    m.increment('after.errors');
    await flush({ all: true });
  });
  assert.deepEqual([reports[0].ok, reports[0].sent], [true, 1]);
});

test('a config object means what its JSON means (toJSON, undefined, NaN, big numbers), in both entries', () => {
  const outcome = (Class, config) => {
    try {
      const m = new Class(config, {});
      return { ok: typeof m.flush };
    } catch (e) {
      return { code: e.code, message: e.message, key: e.key };
    }
  };
  const cases = [
    { api_token: TOKEN, timeout: undefined, debug: () => true },
    { api_token: { toJSON: () => TOKEN }, api_url: new URL('http://127.0.0.1:9/v1/metrics') },
    { api_token: TOKEN, retries: NaN },
    { api_token: TOKEN, batch_size: Infinity },
    { api_token: TOKEN, batch_size: 300.5 },
    { api_token: TOKEN, batch_size: 1e21 },
    { api_token: TOKEN, batch_size: 2 ** 63 },
    { api_token: TOKEN, batch_size: -0 },
    { api_token: TOKEN, template: ['host', undefined] },
    { api_token: TOKEN, timeout: new Date(0) },
    { api_token: TOKEN, source_tag: Symbol('x') },
    { api_token: TOKEN, 10: 'numeric key', b: 1 },
  ];
  for (const config of cases) {
    const viaJson = JSON.parse(JSON.stringify(config));
    for (const Class of [Main, Small]) {
      assert.deepEqual(outcome(Class, config), outcome(Class, viaJson), `${Class === Main ? 'main' : 'metrics'}: ${JSON.stringify(config)}`);
    }
  }
  const cyclic = { api_token: TOKEN };
  cyclic.self = cyclic;
  for (const bad of [cyclic, { api_token: TOKEN, retries: 3n }]) {
    for (const Class of [Main, Small]) {
      assert.deepEqual(outcome(Class, bad), { code: 'invalid_config', message: 'config object cannot be read as JSON (does it hold a bigint or a cycle?)', key: undefined });
    }
  }
});

test("the metrics entry's allocator reuses what each period freed: the same load period after period does not grow its memory", async () => {
  // The glue the source entry instantiated: its memory is that entry's (the same .wasm as the
  // bundled one's).
  const { __wasmMemoryBytes } = await import('../../pkg/dist/metrics/librato_wasm.js');
  const api = await startLibratoApi({ port: 0, user: USER, token: TOKEN });
  try {
    const clock = { now: T0 };
    const m = new SmallSource({ api_user: USER, api_token: TOKEN, api_url: api.url, batch_size: 300 }, { now: () => clock.now, percentiles: [50, 99] });
    const grownAt = [];
    for (let period = 0; period < 40; period++) {
      const before = __wasmMemoryBytes();
      // The same series each period, with sample counts that move between them.
      for (let i = 0; i < 600; i++) {
        for (let j = 0; j < 1 + ((i + period) % 7) * 10; j++) m.timing(`svc.${i}`, (i * 31 + j * 17) % 997);
      }
      clock.now += 60_000;
      const r = await m.flush();
      assert.equal(r.ok, true, JSON.stringify(r.failed));
      if (__wasmMemoryBytes() > before) grownAt.push(period);
    }
    assert.ok(api.received().gauges.length > 40 * 600, `${api.received().gauges.length} gauges`);
    // Growing stops once the working set has been carved: nothing after the first periods.
    assert.ok(grownAt.every((p) => p < 10), `memory grew at periods ${grownAt}`);
  } finally {
    await api.close();
  }
});

test('both Node entries say which Node they need where process.getBuiltinModule is missing (before 20.16)', () => {
  for (const entry of ['../../pkg/node.js', '../../pkg/dist/metrics-node.js', '../../pkg/metrics/node.js']) {
    const url = new URL(entry, import.meta.url).href;
    const script = `delete process.getBuiltinModule;
      import(${JSON.stringify(url)}).then(() => console.log('loaded'), (e) => console.log(e.message));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(out.trim(), `librato-wasm needs Node 20.16 or later (this is ${process.version})`, entry);
  }
});
