// api = "measurements": LibratoOutput against the strict local API's tagged endpoint over real
// HTTP on 127.0.0.1 (both auth forms, compact bodies, a 2xx with errors, faults).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { LibratoOutput, render, loadConfig } from '../../pkg/node.js';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { seriesKey } from '../../dev/librato-rules.mjs';
import { measurementRows } from './helpers.mjs';

const USER = 'tags@example.com';
const TOKEN = 'tok-tags-71c0d9';
let api;

before(async () => { api = await startLibratoApi({ port: 0, user: USER, token: TOKEN }); });
after(async () => { await api.close(); });
beforeEach(() => { api.clear(); api.setFaults([]); });

function output(extra = {}, options = {}) {
  return new LibratoOutput(
    { api: 'measurements', api_user: USER, api_token: TOKEN, api_url: api.measurementsUrl, retry_backoff: '10ms', ...extra },
    options,
  );
}

/** Lines with varied tags: several hosts, tags needing sanitising, some with a shared time. */
function lines(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(`cpu,host=web-${i % 4},Region=EU\\ West,path=C:\\dir/x?${i % 3} usage_idle=${i}.5,usage_user=${i}i ${1_764_000_000 + Math.floor(i / 50)}000000000`);
  }
  return out.join('\n') + '\n';
}

/** What the API would hold for a plan's bodies: one series key per measurement, lower-cased. */
function expectedSeries(bodies) {
  return measurementRows(bodies).map(([name, , time, tags]) => {
    const lower = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]));
    return seriesKey(name, lower, time);
  });
}
const stored = () => api.received().measurements.map((m) => m.series);

test('a tagged write: the API stores exactly the series the plan holds, with their tags', async () => {
  const input = lines(700);
  const plan = render(input, { api: 'measurements', batch_size: 500 });
  assert.equal(plan.gauges, 1400);
  assert.deepEqual(plan.requests.map((r) => r.count), [500, 500, 400]);
  assert.ok(plan.requests.every((r) => r.url === 'https://metrics-api.librato.com/v1/measurements'));
  const first = JSON.parse(plan.requests[0].body).measurements[0];
  assert.deepEqual(first, { name: 'cpu.usage_idle', value: 0.5, time: 1_764_000_000, tags: { Region: 'EU West', host: 'web-0', path: 'C:\\dir/x?0' } });

  const report = await output({ batch_size: 500 }).write(input);
  assert.equal(report.ok, true, JSON.stringify(report.failed));
  assert.equal(report.sent, 1400);
  assert.equal(report.requests, 3);
  assert.deepEqual(stored().sort(), expectedSeries(plan.requests.map((r) => r.body)).sort());
  assert.ok(api.received().requests.every((r) => r.path === '/v1/measurements' && r.user === USER));
  assert.equal(api.received().measurements[0].tags.region, 'eu west', 'the API lower-cases tags');
});

test('api_user left out: the token alone is the Basic user, and the API accepts it', async () => {
  const out = new LibratoOutput({ api: 'measurements', api_token: TOKEN, api_url: api.measurementsUrl });
  const report = await out.write(lines(10));
  assert.equal(report.ok, true, JSON.stringify(report.failed));
  assert.deepEqual(api.received().requests.map((r) => r.user), ['(token)']);
  // The gauges API still needs the email: refused before anything is sent.
  await assert.rejects(
    new LibratoOutput({ api_token: TOKEN, api_url: api.url }).write(lines(1)),
    (e) => e.code === 'missing_credentials',
  );
});

test('compact bodies make the same stored series as full ones, in fewer bytes', async () => {
  // As Telegraf flushes them: runs of lines of one host at one time, with a host or a second
  // changing inside a body now and then.
  const input = Array.from({ length: 600 }, (_, i) =>
    `cpu,host=web-${Math.floor(i / 100)},cpu=cpu-total,dc=eu usage_idle=${i}.5,usage_user=${i}i ${1_764_000_000 + Math.floor(i / 110)}000000000`).join('\n');
  const full = render(input, { api: 'measurements' });
  const compact = render(input, { api: 'measurements', body_format: 'compact' });
  const bytes = (p) => p.requests.reduce((n, r) => n + r.body.length, 0);
  assert.ok(bytes(compact) < bytes(full) * 0.8, `${bytes(compact)} vs ${bytes(full)}`);
  assert.deepEqual(expectedSeries(compact.requests.map((r) => r.body)), expectedSeries(full.requests.map((r) => r.body)));
  assert.equal((await output({ body_format: 'compact' }).write(input)).ok, true);
  const viaCompact = stored().sort();
  api.clear();
  assert.equal((await output().write(input)).ok, true);
  assert.deepEqual(viaCompact, stored().sort());
  assert.equal(viaCompact.length, full.gauges);
});

test('a 2xx whose body holds errors fails that batch, unretried, with the message and its body; resend delivers it', async () => {
  api.setFaults([{ status: 202, body: { errors: [{ param: 'tags', reason: 'too many unique tag sets' }] }, store: false }]);
  const out = output({ batch_size: 5, concurrency: 1 });
  const report = await out.write(lines(10));
  assert.equal(report.ok, false);
  assert.equal(report.sent, 15);
  assert.equal(report.failed.length, 1);
  const f = report.failed[0];
  assert.deepEqual([f.status, f.attempts, f.retryable, f.count], [202, 1, false, 5]);
  assert.match(f.message, /^202: .*too many unique tag sets/);
  assert.equal(JSON.parse(f.body).measurements.length, 5);
  assert.equal(report.attempts, 4);
  assert.equal(api.received().measurements.length, 15);
  const again = await out.resend(report.failed);
  assert.equal(again.ok, true);
  assert.equal(api.received().measurements.length, 20);
});

test('30% faults: every measurement is stored or inside its body in failed, and resend delivers the rest', async () => {
  api.setFaults({ random: { rate: 0.3, seed: 20261203, kinds: [
    { status: 429, retryAfter: 0 }, { status: 500 }, { status: 503 }, { delayMs: 400 }, { drop: true }, { status: 200, body: 'garbage' },
  ] } });
  const input = lines(3000);
  const plan = render(input, { api: 'measurements' });
  const out = output({ timeout: '250ms', retries: 1, concurrency: 6, retry_max_wait: '200ms' });
  const report = await out.write(input);
  api.setFaults({ random: null });
  const want = expectedSeries(plan.requests.map((r) => r.body));
  const failed = new Set(expectedSeries(report.failed.map((f) => f.body)));
  const got = new Set(stored());
  assert.equal(report.sent + report.failed.reduce((n, f) => n + f.count, 0), plan.gauges);
  assert.deepEqual(want.filter((k) => !got.has(k) && !failed.has(k)), [], 'nothing lost');
  assert.ok(report.attempts > report.requests, 'faults were hit');
  const again = await out.resend(report.failed);
  assert.equal(again.ok, true, JSON.stringify(again.failed));
  const after = new Set(stored());
  assert.deepEqual(want.filter((k) => !after.has(k)), []);
});

test('no_tags and too_many_tags are listed in skipped; the good measurements beside them are sent', async () => {
  const many = Array.from({ length: 51 }, (_, i) => `t${i}=v`).join(',');
  const input = `bare v=1 1764000000000000000\nmany,${many} v=2 1764000000000000000\nok,host=a v=3 1764000000000000000\n`;
  const report = await output().write(input);
  assert.equal(report.ok, true);
  assert.equal(report.sent, 1);
  assert.deepEqual(report.skipped.map((s) => [s.line, s.metric, s.reason]), [[1, 'bare', 'no_tags'], [2, 'many', 'too_many_tags']]);
  assert.deepEqual(stored(), ['ok.v|host=a|1764000000']);
});

test('explain: each measurement\'s input line, and a note where a tag was changed to fit the API', () => {
  const input = 'a,host=h1 v=1 1764000000000000000\nb,a\\ b=x\\=y,e=ok v=2 1764000000000000000\n';
  const plan = render(input, { api: 'measurements' }, { explain: true });
  assert.deepEqual([...plan.gaugeLines], [1, 2]);
  assert.equal(plan.sources, undefined, 'no template, no sources');
  assert.deepEqual(plan.tagNotes, [
    { line: 2, message: 'tag key "a b" sent as "a_b"' },
    { line: 2, message: 'tag a_b: value "x=y" sent as "x_y"' },
  ]);
});

test('config: api from TOML and JS objects alike, errors at their line and column, the template warned', () => {
  const [c] = loadConfig('[[outputs.librato]]\n  api = "measurements"\n  template = "host.tags"\n  batch_size = 1000\n');
  assert.equal(c.api, 'measurements');
  assert.equal(c.api_url, 'https://metrics-api.librato.com/v1/measurements');
  assert.equal(c.batch_size, 1000);
  assert.match(c.warnings[0], /^template is not used with api = "measurements"/);
  assert.equal(loadConfig('')[0].api, 'metrics');
  assert.throws(() => loadConfig('batch_size = 1000\n'), (e) => e.line === 1 && e.column === 14 && /between 1 and 300/.test(e.message));
  assert.throws(() => loadConfig('api = "tagged"\n'), (e) => e.code === 'invalid_config' && e.line === 1 && e.key === 'api');
  assert.throws(() => render('m,h=a v=1 1', { api: 'measurements', batch_size: 1001 }), (e) => e.code === 'invalid_config' && /between 1 and 1000/.test(e.message));
  const plan = render('m,h=a v=1 1764000000000000000', 'api = "measurements"\ntemplate = "h"\n');
  assert.ok(plan.warnings.some((w) => w.startsWith('template is not used')));
});

test('a loaded measurements config given back as an object renders without a template warning', () => {
  const [c] = loadConfig('api = "measurements"\napi_token = "t"\n');
  assert.equal('template' in c, false);
  const plan = render('m,h=a v=1 1764000000000000000', c);
  assert.deepEqual(plan.warnings, []);
  assert.ok(plan.requests[0].body.startsWith('{"measurements":['));
});
