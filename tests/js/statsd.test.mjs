// `librato-wasm statsd` over real UDP and TCP sockets on 127.0.0.1 against the strict local
// API: every type, both APIs, a statsd config file, bad packets, faults, SIGTERM, and a
// credential scan of everything it printed.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { ROOT } from './helpers.mjs';

const BIN = join(ROOT, 'pkg', 'bin', 'librato-wasm.mjs');
const USER = 'statsd@example.com';
const TOKEN = 'tok-statsd-secret-8d1e3a';
const captured = [];
const children = new Set();
let api;
let dir;
let port = 28125;

before(async () => {
  api = await startLibratoApi({ port: 0, user: USER, token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'librato-statsd-'));
});
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await api.close();
  for (const text of captured) assert.ok(!text.includes(TOKEN), `a credential leaked: ${text.slice(0, 200)}`);
});
beforeEach(() => { api.clear(); api.setFaults([]); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, cond, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) { if (cond()) return; await sleep(50); }
  assert.fail(`timed out waiting for ${what}`);
}

function conf(api_ = 'measurements', extra = '') {
  const file = join(dir, `${api_}.conf`);
  const url = api_ === 'measurements' ? api.measurementsUrl : api.url;
  writeFileSync(file, `[[outputs.librato]]\n  api = "${api_}"\n  api_user = "${USER}"\n  api_token = "@{vault:token}"\n  api_url = "${url}"\n  retry_backoff = "10ms"\n${extra}`);
  return file;
}

function start(args) {
  const child = spawn(process.execPath, [BIN, 'statsd', ...args], { env: { ...process.env, LIBRATO_SECRET_VAULT_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  child.stdout.on('data', (d) => { err += d; });
  children.add(child);
  const done = new Promise((resolve) => child.on('exit', (code, signal) => { children.delete(child); captured.push(err); resolve(code ?? signal); }));
  return { child, done, stderr: () => err };
}

function udp(p, text) {
  return new Promise((resolve) => { const s = dgram.createSocket('udp4'); s.send(text, p, '127.0.0.1', () => { s.close(); resolve(); }); });
}
function tcp(p, text) {
  return new Promise((resolve, reject) => { const c = net.connect(p, '127.0.0.1', () => c.end(text)); c.on('close', resolve); c.on('error', reject); });
}

const PACKET = 'hits:2|c\nhits:1|c|@0.5\nlat:5|ms\nlat:1|ms\nlat:4|ms\nlat:2|ms\nlat:3|ms\nq:10|g\nq:-4|g\nu:a|s\nu:b|s\nu:a|s\nh:7|h\ndist:2|d|#route:users\n';

for (const which of ['measurements', 'metrics']) {
  test(`${which} API: every type over UDP and TCP, posted as statsd-librato-backend posts them`, async () => {
    const [u, t] = [port++, port++];
    const p = start(['--config', conf(which), '--listen', `udp://127.0.0.1:${u}`, '--listen', `tcp://127.0.0.1:${t}`, '--flush-interval', '700ms', '--percentiles', '90']);
    await waitFor('listening', () => /I! listening/.test(p.stderr()));
    await udp(u, PACKET);
    await tcp(t, 'tcp.hits:5|c\ntcp.hits:5|c\n');
    const list = () => (which === 'measurements' ? api.received().measurements : api.received().gauges);
    await waitFor('a flush', () => list().some((x) => x.name === 'tcp.hits') && list().some((x) => x.name === 'lat.90'));
    const byName = Object.fromEntries(list().map((x) => [x.name, x]));
    assert.equal(byName.hits.value, 4, 'sample rate: 2 + 1 / 0.5');
    assert.equal(byName['tcp.hits'].value, 10);
    assert.deepEqual([byName.lat.count, byName.lat.sum, byName.lat.min, byName.lat.max], [5, 15, 1, 5]);
    assert.deepEqual([byName['lat.90'].count, byName['lat.90'].max], [4, 4]);
    assert.equal(byName.q.value, 6, 'a gauge delta');
    assert.equal(byName.u.value, 2, 'distinct set values');
    assert.equal(byName.h.count, 1, '|h is a timer');
    if (which === 'measurements') {
      assert.ok(Math.abs(byName.lat.stddev_m2 - Math.sqrt(2.5)) < 1e-12);
      assert.equal(byName.dist.tags.route, 'users', 'DogStatsD tags as tags');
      assert.ok(byName.hits.tags.host, 'the backend\'s host tag');
    } else {
      assert.equal(byName.lat.stddev_m2, undefined, 'the legacy API has no stddev_m2');
    }
    p.child.kill('SIGTERM');
    assert.equal(await p.done, 0);
  });
}

test('a statsd config file: port, flushInterval, percentThreshold, librato block; unknown keys warned', async () => {
  const u = port++;
  const file = join(dir, 'config.js');
  writeFileSync(file, `{
    port: ${u}, address: '127.0.0.1', flushInterval: 600, percentThreshold: [50, 99],
    backends: ['statsd-librato-backend'], mgmt_port: 8126, deleteIdleStats: true,
    librato: { email: '${USER}', token: '${TOKEN}', api: '${api.measurementsUrl.replace('/v1/measurements', '')}',
               source: 'web1', host: 'box', tags: { env: 'prod' }, globalPrefix: 'app', sourceRegex: '/^(.*?)\\\\./' }
  }`);
  const p = start(['--statsd-config', file]);
  await waitFor('listening', () => /I! listening/.test(p.stderr()));
  assert.match(p.stderr(), /W! .*mgmt_port is not honoured/);
  assert.match(p.stderr(), /W! .*librato\.sourceRegex is not honoured/);
  await udp(u, 'lat:1|ms\nlat:2|ms\nlat:3|ms\nlat:4|ms\n');
  await waitFor('a flush', () => api.received().measurements.some((m) => m.name === 'app.lat.99'));
  const m = Object.fromEntries(api.received().measurements.map((x) => [x.name, x]));
  assert.deepEqual(Object.keys(m).sort(), ['app.lat', 'app.lat.50', 'app.lat.99']);
  // The backend's source is a measurement tag, which replaces the top-level env and host.
  assert.deepEqual(m['app.lat.50'].tags, { source: 'web1' });
  assert.equal(m['app.lat.50'].count, 2);
  assert.equal(api.received().requests[0].user, USER);
  p.child.kill('SIGINT');
  assert.equal(await p.done, 0);
});

test('a statsd config with writeToLegacy and the backend\'s default batchSize posts legacy gauges', async () => {
  const u = port++;
  const file = join(dir, 'legacy.js');
  writeFileSync(file, `{ port: ${u}, address: '127.0.0.1', flushInterval: 500,
    librato: { email: '${USER}', token: '${TOKEN}', api: '${api.url.replace('/v1/metrics', '')}', source: 'web1', writeToLegacy: true } }`);
  const p = start(['--statsd-config', file]);
  await waitFor('listening', () => /I! listening/.test(p.stderr()));
  assert.match(p.stderr(), /W! .*writeToLegacy/);
  await udp(u, 'hits:3|c\nlat:2|ms\nlat:4|ms\n');
  await waitFor('a flush', () => api.received().gauges.some((g) => g.name === 'lat.90'));
  const g = Object.fromEntries(api.received().gauges.map((x) => [x.name, x]));
  assert.equal(g.hits.value, 3);
  assert.equal(g.hits.source, 'web1');
  assert.deepEqual([g.lat.count, g.lat.sum, g.lat.min, g.lat.max], [2, 6, 2, 4]);
  p.child.kill('SIGTERM');
  assert.equal(await p.done, 0);
});

test('after a panic resets the module, the next packets are aggregated and sent (the core is made again)', async () => {
  const u = port++;
  const url = (f) => new URL(`../../pkg/${f}`, import.meta.url).href;
  const script = `
    import { statsd } from '${url('bin/statsd.mjs')}';
    import { call } from '${url('bin/wasm.mjs')}';
    import * as b from '${url('dist/cli/librato_wasm.js')}';
    const config = { api: 'measurements', api_user: '${USER}', api_token: process.env.T, api_url: '${api.measurementsUrl}', retry_backoff: '10ms' };
    statsd({ text: config, config, options: { env: {} }, core: { flushInterval: 300, tags: { host: 'h' } },
      listen: [{ proto: 'udp', host: '127.0.0.1', port: ${u} }], bufferLimit: 10000, shutdownTimeout: 2000,
      retryBase: 1, retryMax: 60, summaryEvery: 60000 }).then((c) => process.exit(c));
    process.stdin.on('data', () => { try { call(() => b.__panicForTests()); } catch (e) { console.error('reset', e.code); } });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, T: TOKEN }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const done = new Promise((r) => child.on('exit', (c) => { children.delete(child); captured.push(err); r(c); }));
  await waitFor('listening', () => /I! listening/.test(err));
  await udp(u, 'before:1|c\n');
  await waitFor('the first flush', () => api.received().measurements.some((m) => m.name === 'before'));
  child.stdin.write('panic\n');
  await waitFor('the reset', () => /reset internal_error/.test(err));
  await udp(u, 'after:2|c\n');
  await udp(u, 'after:3|c\n');
  await waitFor('a flush after the reset', () => api.received().measurements.some((m) => m.name === 'after'));
  assert.equal(api.received().measurements.find((m) => m.name === 'after').value, 5);
  child.kill('SIGTERM');
  assert.equal(await done, 0);
});

test('bad packets: one W! line per flush with an example, the good lines delivered, never a crash', async () => {
  const u = port++;
  const p = start(['--config', conf(), '--listen', `udp://127.0.0.1:${u}`, '--flush-interval', '500ms']);
  await waitFor('listening', () => /I! listening/.test(p.stderr()));
  await udp(u, 'good:1|c\nno type here\nx:abc|c\nt:-5|ms\n\u0000\u00ff:1|q|@x\ngood:2|c\n');
  await udp(u, Buffer.from([0xff, 0xfe, 0x3a, 0x31, 0x7c, 0x63, 0x0a]));
  await waitFor('the flush', () => api.received().measurements.some((x) => x.name === 'good'));
  await waitFor('the W! line', () => /W! \d+ bad line/.test(p.stderr()));
  assert.equal(api.received().measurements.find((x) => x.name === 'good').value, 3);
  assert.match(p.stderr(), /W! 4 bad line\(s\) since the last flush, e\.g\. line 2 of a packet: "no type here"/);
  assert.equal(p.stderr().match(/bad line/g).length, 1, 'one line per flush');
  p.child.kill('SIGTERM');
  assert.equal(await p.done, 0);
});

test('SIGTERM flushes what was received and exits 0 within 5 s, even with the API down', async () => {
  const u = port++;
  const p = start(['--config', conf(), '--listen', `udp://127.0.0.1:${u}`, '--flush-interval', '60s']);
  await waitFor('listening', () => /I! listening/.test(p.stderr()));
  await udp(u, 'last:42|g\n');
  await sleep(200);
  p.child.kill('SIGTERM');
  assert.equal(await p.done, 0);
  assert.equal(api.received().measurements.find((x) => x.name === 'last').value, 42, 'flushed at SIGTERM');

  api.setFaults([{ delayMs: 60_000, times: 1000 }]);
  const q = start(['--config', conf(), '--listen', `udp://127.0.0.1:${port++}`, '--flush-interval', '60s']);
  await waitFor('listening', () => /I! listening/.test(q.stderr()));
  const t0 = Date.now();
  q.child.kill('SIGTERM');
  assert.equal(await q.done, 0);
  assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
});

test('usage errors: exit 2 naming the option', async () => {
  for (const args of [['--config', conf(), '--listen', 'udp://nowhere'], ['--config', conf(), '--percentiles', '100'], ['--config', conf(), '--flush-interval', 'soon'], []]) {
    const p = start(args);
    assert.equal(await p.done, 2, args.join(' '));
    assert.match(p.stderr(), /librato-wasm: /);
  }
});
