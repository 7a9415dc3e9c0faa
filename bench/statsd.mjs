// StatsD: StatsdCore.ingest in-process (lines/s), LibratoMetrics.measure() with percentiles
// [90, 99] over 1,000 series, and end to end over UDP: librato-wasm statsd and, when installed
// (a dev dependency of the bench only), statsd 0.9.0 + statsd-librato-backend 2.0.16, each fed
// the same packets at a fixed rate, posting to a do-nothing API on 127.0.0.1; the share of
// lines each accounted for in its posts (what is missing was dropped by the kernel: the
// receive buffer overflowed while the process was busy). Prints JSON.
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { StatsdCore } from '../pkg/bin/wasm.mjs';
import { LibratoMetrics } from '../pkg/node.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const out = {};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// 1. In-process: packets of 50 lines over 10,000 keys, every type.
const kinds = ['c', 'ms', 'g', 'c|@0.5', 'ms'];
const packets = Array.from({ length: 400 }, (_, p) => Buffer.from(Array.from({ length: 50 }, (_, i) => {
  const n = p * 50 + i;
  return `app.key${n % 10000}:${n % 97}|${kinds[n % kinds.length]}`;
}).join('\n')));
const core = new StatsdCore({ api: 'measurements', api_token: 't', api_url: 'http://127.0.0.1:9/v1/measurements' }, { tags: { host: 'bench' }, percentiles: [90] });
let lines = 0;
const t0 = performance.now();
while (performance.now() - t0 < 1500) { for (const p of packets) core.ingest(p); lines += 20_000; }
out.ingest_lines_per_s = lines / ((performance.now() - t0) / 1000);
const tf = performance.now();
core.flush(Date.now());
out.flush_10000_ms = performance.now() - tf;
out.rss_10000_series_mb = process.memoryUsage().rss / 1e6;

// 2. measure() with percentiles.
const names = Array.from({ length: 1000 }, (_, i) => `lat.${i}`);
const m = new LibratoMetrics({ api_user: 'u@example.com', api_token: 't', api_url: 'http://127.0.0.1:9/v1/metrics' },
  { fetch: async () => new Response(null, { status: 200 }), percentiles: [90, 99], period: 3600 });
const N = 2_000_000;
const t1 = performance.now();
for (let i = 0; i < N; i++) m.measure(names[i % 1000], i % 1013);
out.measure_percentiles_msps = N / (performance.now() - t1) / 1000;

// 3. End to end over UDP at a fixed rate.
function api() {
  let counted = 0;
  const s = http.createServer((req, res) => {
    let b = '';
    req.on('data', (d) => { b += d; });
    req.on('end', () => {
      try { for (const x of JSON.parse(b).measurements ?? []) if (x.name.startsWith('e2e.')) counted += x.value ?? 0; } catch { /* not counted */ }
      res.writeHead(202); res.end();
    });
  });
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r({ port: s.address().port, counted: () => counted, close: () => s.close() })));
}

async function feed(port, rate, seconds) {
  const sock = dgram.createSocket('udp4');
  const packet = Buffer.from(Array.from({ length: 20 }, (_, i) => `e2e.c${i}:1|c`).join('\n'));
  let sent = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate / 20);
    while (sent < due) { sock.send(packet, port, '127.0.0.1'); sent++; }
    await sleep(1);
  }
  await sleep(50);
  sock.close();
  return sent * 20;
}

async function endToEnd(start, rate) {
  const a = await api();
  const port = 30000 + Math.floor(Math.random() * 20000);
  const child = start(port, a.port);
  await sleep(1500);
  const sent = await feed(port, rate, 3);
  await sleep(1500);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  await sleep(300);
  a.close();
  return a.counted() / sent;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-statsd-'));
const ours = (port, apiPort) => {
  const conf = join(dir, 'c.conf');
  writeFileSync(conf, `[[outputs.librato]]\n  api = "measurements"\n  api_token = "t"\n  api_url = "http://127.0.0.1:${apiPort}/v1/measurements"\n  batch_size = 1000\n`);
  return spawn(process.execPath, [join(ROOT, 'pkg/bin/librato-wasm.mjs'), 'statsd', '--config', conf, '--listen', `udp://127.0.0.1:${port}`, '--flush-interval', '1s'], { stdio: 'ignore' });
};
let theirs = null;
try {
  const stats = require.resolve('statsd/stats.js');
  require.resolve('statsd-librato-backend');
  theirs = (port, apiPort) => {
    const conf = join(dir, 's.js');
    writeFileSync(conf, `{ port: ${port}, address: '127.0.0.1', flushInterval: 1000, backends: ['statsd-librato-backend'],
      librato: { email: 'u', token: 't', api: 'http://127.0.0.1:${apiPort}', batchSize: 1000 } }`);
    return spawn(process.execPath, [stats, conf], { stdio: 'ignore', cwd: dirname(dirname(stats)) });
  };
} catch { /* not installed */ }
// statsd at rising rates until it loses more than 0.1%; ours at the highest rate statsd kept
// up with and at three times it (issue 27's target).
out.rates = {};
let statsdMax = 300_000;
if (theirs) {
  statsdMax = 0;
  for (const rate of [150_000, 300_000, 450_000, 600_000, 900_000]) {
    const share = await endToEnd(theirs, rate);
    out.rates[rate] = { statsd: share };
    if (share < 0.999) break;
    statsdMax = rate;
  }
}
for (const rate of statsdMax > 0 ? [statsdMax, statsdMax * 3] : []) {
  out.rates[rate] = { ...out.rates[rate], ours: await endToEnd(ours, rate) };
}
out.statsd_max = statsdMax;
out.statsd_installed = Boolean(theirs);
console.log(JSON.stringify(out));
