#!/usr/bin/env node
// `make bench`: one table of figures, each the median of RUNS runs after a warm-up.
// Inputs are made by bench/gen_bench_lp.py (Telegraf-shaped line protocol, deterministic).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryGraph, graphBytes } from '../scripts/entry-size.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench', 'out');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LINES = Number(process.env.BENCH_LINES ?? 100000);
mkdirSync(OUT, { recursive: true });

function generator() {
  return join(ROOT, 'bench', 'gen_bench_lp.py');
}

function input(lines) {
  const file = join(OUT, `bench-${lines}.lp`);
  if (!existsSync(file)) writeFileSync(file, execFileSync('python3', [generator(), String(lines)], { maxBuffer: 1 << 30 }));
  return file;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
/** One figure; `met` is true/false against its target, or undefined when it has none. */
const row = (what, value, target = '', note = '', met = undefined) =>
  rows.push({ what, value, target, met: met === undefined ? '' : met ? 'met' : 'NOT met', note });
const rate = (bytes, ms) => bytes / 1e6 / (ms / 1000);

/** Runs a child node script and returns its JSON output. */
function child(script, args = [], env = {}, flags = ['--expose-gc']) {
  const r = spawnSync(process.execPath, [...flags, join(ROOT, 'bench', script), ...args], {
    encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const file = input(LINES);
const mb = statSync(file).size / 1e6;

// Issue 16's table: each row against its target, from this run's figures.
const native = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--release', '--example', 'native_bench', '--', file, String(RUNS)], { cwd: ROOT, encoding: 'utf8' }).trim());
const nativeRate = rate(native.input_bytes, native.render_ms);
row('native core, line protocol → request bodies', `${nativeRate.toFixed(1)} MB/s`, '≥ 400 MB/s',
  `${native.render_ms.toFixed(1)} ms for ${mb.toFixed(1)} MB; parse alone ${rate(native.input_bytes, native.parse_ms).toFixed(1)} MB/s`, nativeRate >= 400);

const w = child('write-throughput.mjs', [file, String(RUNS)]);
const writeRate = rate(w.bytes, w.write_ms);
row('write() from a Uint8Array, do-nothing fetch (Node)', `${writeRate.toFixed(1)} MB/s`, '≥ 250 MB/s',
  `${w.write_ms.toFixed(1)} ms: ${w.gauges} gauges in ${w.requests} requests, ${(w.posted / 1e6).toFixed(1)} MB of bodies handed to fetch as bytes`, writeRate >= 250);

const js = child('throughput.mjs', [file, String(RUNS)]);
const renderRate = rate(mb * 1e6, js.render_ms);
row('render() from a string (Node)', `${renderRate.toFixed(1)} MB/s`, '≥ 150 MB/s',
  `${js.render_ms.toFixed(1)} ms; ${(js.output_bytes / 1e6).toFixed(1)} MB of bodies as JS strings in ${js.requests} requests; the floor (UTF-8 in + bodies out) alone is ${js.floor_ms.toFixed(1)} ms`, renderRate >= 150);

const compactRate = rate(mb * 1e6, js.compact_ms);
row('render() with body_format = "compact" (Node; no target)', `${compactRate.toFixed(1)} MB/s`, '',
  `${js.compact_ms.toFixed(1)} ms; ${(js.compact_bytes / 1e6).toFixed(1)} MB of bodies, ${(100 * (1 - js.compact_bytes / js.output_bytes)).toFixed(0)}% fewer bytes than Telegraf's shape (this input: many hosts, one time)`);

row('render() with api = "measurements" (Node), against the gauges', `${js.tagged_ratio.toFixed(2)}× the gauges' time`, '≤ 1.3×',
  `${js.tagged_ms.toFixed(1)} ms (${rate(mb * 1e6, js.tagged_ms).toFixed(1)} MB/s) vs ${js.render_ms.toFixed(1)} ms for the gauges, per-run ratio's median; ${(js.tagged_bytes / 1e6).toFixed(1)} MB of tagged bodies`, js.tagged_ratio <= 1.3);

const jin = child('json-throughput.mjs', [file, String(RUNS)]);
const jsonRate = rate(jin.bytes, jin.render_ms);
row('Telegraf JSON → bodies (render(), Node)', `${jsonRate.toFixed(1)} MB/s`, '≥ 100 MB/s',
  `${jin.render_ms.toFixed(1)} ms for the same metrics as ${(jin.bytes / 1e6).toFixed(1)} MB of JSON`, jsonRate >= 100);

const parseRate = rate(mb * 1e6, js.parse_ms);
row('parse() to JS objects (Node)', `${parseRate.toFixed(1)} MB/s`, '≥ 60 MB/s', `${js.parse_ms.toFixed(1)} ms, ${js.metrics} Metric objects`, parseRate >= 60);

try {
  // Request + parse + render, measured in parts (workerd reports no per-request CPU here, and
  // its process CPU comes in 10 ms ticks): a bare request (/ping, 400 per sample), and the
  // worker's write of the 1,000 lines' bytes with a fetch that acknowledges at once, inside
  // workerd (200 per request). A write refused at a 1-request limit is shown too: since
  // rendering stops at the limit, it renders only the first 300 gauges.
  const ping = child('worker-cpu.mjs', [String(RUNS)], { WORKER_CPU_MODE: 'ping', WRITES: '400' });
  const alone = child('worker-render.mjs', [String(RUNS)]);
  const stopped = child('worker-cpu.mjs', [String(RUNS)], { WORKER_CPU_MODE: 'render-only', WRITES: '100' });
  const total = ping.cpu_ms + alone.cpu_ms;
  row('worker, 1,000-line write: request + parse + render (no fetch)', `${total.toFixed(2)} ms`, '≤ 1 ms',
    `a bare request ${ping.cpu_ms.toFixed(2)} ms + write() of the 1,000 lines' bytes (143 KB, 4,000 gauges in 14 bodies, fetch acknowledging at once) ${alone.cpu_ms.toFixed(2)} ms (render() of them to JS strings: ${alone.render_ms.toFixed(2)} ms), workerd's own CPU (utime+stime, medians of ${RUNS}); a write refused at a 1-request limit (render stops after 300 gauges) ${stopped.cpu_ms.toFixed(2)} ms`, total <= 1);
  row('worker, durable 1,000-line write: request + render + enqueue', `${(ping.cpu_ms + alone.durable_ms).toFixed(2)} ms`, '',
    `next to ${total.toFixed(2)} ms synchronous (no fetch): a bare request + pack() into queue messages and sendBatch to a local queue ${alone.durable_ms.toFixed(2)} ms, of which pack() ${alone.pack_ms.toFixed(2)} ms (workerd's CPU: the local queue broker runs in it too)`);
  row('worker, queue consumer per 1,000 gauges delivered', `${(alone.deliver_ms / 4).toFixed(2)} ms`, '',
    `deliver() of the write's messages (4,000 gauges regrouped into 14 requests, fetch acknowledging at once): ${alone.deliver_ms.toFixed(2)} ms a batch`);
} catch (e) {
  row('worker, 1,000-line write: request + parse + render (no fetch)', 'n/a', '≤ 1 ms', e.message.split('\n')[0], false);
}
try {
  const lim = child('worker-limits.mjs', [file], {}, []);
  const memMb = lim.after / 1e6;
  row('worker, largest accepted gzip body (32 MB inflated)', `${lim.status}, wasm memory ${memMb.toFixed(1)} MB`, '413 at the limit; < 64 MB',
    `${(lim.gzipped / 1e6).toFixed(1)} MB gzip answered in ${lim.ms} ms: ${lim.message}`, lim.status === 413 && /more than 45 requests/.test(lim.message) && memMb < 64);
} catch (e) {
  row('worker, largest accepted gzip body (32 MB inflated)', 'n/a', '413 at the limit; < 64 MB', e.message.split('\n')[0], false);
}

// LibratoMetrics (issue 22's targets), from one process: ours and librato-node's measure().
try {
  const lm = child('metrics.mjs', [String(RUNS)]);
  row('LibratoMetrics.measure() with a source, 1,000 series (Node)', `${lm.ours_source.toFixed(1)} M samples/s`, '≥ 5 M/s and ≥ librato-node',
    `librato-node's measure() in the same process ${lm.librato_node.toFixed(1)} M/s (${(lm.ours_source / lm.librato_node).toFixed(1)}×); with tags instead of a source ${lm.ours_tags.toFixed(1)} M/s`,
    lm.ours_source >= 5 && lm.ours_source >= lm.librato_node);
  row('LibratoMetrics: 10,000 series held', `${(lm.held_bytes / 1e6).toFixed(2)} MB`, '≤ 4 MB', 'JS heap growth + wasm memory growth (pages of 64 KB)', lm.held_bytes <= 4e6);
  row('librato-wasm/metrics: 10,000 series held', `${(lm.metrics_entry_held_bytes / 1e6).toFixed(2)} MB`, '≤ 1.3× the main entry',
    `its own size-class allocator (docs/performance.md); flush ${lm.metrics_entry_flush_ms.toFixed(1)} ms`, lm.metrics_entry_held_bytes <= 1.3 * lm.held_bytes);
  row('LibratoMetrics: flush of 10,000 series', `${lm.flush_ms.toFixed(1)} ms`, '< 50 ms', '34 requests to a fetch acknowledging at once, after a first flush', lm.flush_ms < 50);
} catch (e) {
  row('LibratoMetrics.measure() with a source, 1,000 series (Node)', 'n/a', '≥ 5 M/s and ≥ librato-node', e.message.split('\n')[0], false);
}

// librato-wasm statsd (issue 27's targets): in-process, measure() with percentiles, and over
// UDP next to statsd 0.9.0 + statsd-librato-backend 2.0.16 fed the same packets.
try {
  const sd = child('statsd.mjs', [], {}, []);
  row('LibratoMetrics.measure() with percentiles [90, 99], 1,000 series', `${sd.measure_percentiles_msps.toFixed(1)} M samples/s`, '≥ 3 M/s', '', sd.measure_percentiles_msps >= 3);
  row('statsd: StatsdCore.ingest in-process', `${(sd.ingest_lines_per_s / 1e6).toFixed(2)} M lines/s`, '', `flush of 10,000 keys ${sd.flush_10000_ms.toFixed(0)} ms; RSS ${sd.rss_10000_series_mb.toFixed(0)} MB with 10,000 keys held`);
  const pct = (x) => (x === undefined ? '' : `${(x * 100).toFixed(2)}%`);
  const rates = Object.entries(sd.rates).map(([r, x]) => `${Number(r) / 1000}k lines/s: ${[x.ours !== undefined && `ours ${pct(x.ours)}`, x.statsd !== undefined && `statsd ${pct(x.statsd)}`].filter(Boolean).join(', ')}`).join('; ');
  const statsdMax = sd.statsd_max;
  const atMax = sd.rates[String(statsdMax)]?.ours;
  const atThree = sd.rates[String(statsdMax * 3)]?.ours;
  row('statsd over UDP: share of lines posted, at fixed send rates', sd.statsd_installed ? `ours ${pct(atThree)} at ${statsdMax * 3 / 1000}k lines/s, 3× statsd's ${statsdMax / 1000}k` : 'statsd not installed',
    '≥ 99.9% at 3× statsd\'s rate, 100% at statsd\'s', rates, sd.statsd_installed && statsdMax > 0 && atThree >= 0.999 && atMax === 1);
} catch (e) {
  row('statsd over UDP: share of lines posted, at fixed send rates', 'n/a', '≥ 3× statsd\'s rate', e.message.split('\n')[0], false);
}

// librato-wasm execd: stdin to a do-nothing local API, next to write() above.
try {
  const ex = child('execd.mjs', [file, '20000'], {}, []);
  row('execd: stdin → do-nothing local API (20,000 lines)', `${(ex.gauges / ex.ms).toFixed(1)} k gauges/s`, '',
    `${(rate(ex.bytes, ex.ms)).toFixed(1)} MB/s of line protocol (write() above: ${writeRate.toFixed(1)} MB/s): one request at a time, oldest first, so that order survives faults; V8's optimising tiers off (bin/lean.mjs; LIBRATO_WASM_FULL_SPEED=1 keeps them); RSS with --buffer-limit 10,000 full (the API answering 503) ${(ex.buffer_rss / 1e6).toFixed(0)} MB`);
  row('execd: RSS with 10,000 lines (20,000 gauges) pending, the API down', `${(ex.pending_20000_rss / 1048576).toFixed(0)} MB`, '≤ 64 MB',
    `Node 20's own RSS (a process that only waits) ${(ex.node_rss / 1048576).toFixed(0)} MB; the pending messages themselves are ~2 MB of strings`, ex.pending_20000_rss <= 64 * 1048576);
} catch (e) {
  row('execd: stdin → do-nothing local API (20,000 lines)', 'n/a', '', e.message.split('\n')[0]);
}

// Size and start-up (issue 28's budgets): each entry's .wasm and librato-wasm/metrics' whole
// module graph (JS + .wasm, each file gzip -9 as a server sends it).
const wasm = readFileSync(join(ROOT, 'pkg', 'dist', 'librato_wasm_bg.wasm'));
const gz = gzipSync(wasm, { level: 9 }).length;
row('.wasm size, main entry', `${(gz / 1024).toFixed(1)} KB gzipped`, '≤ 150 KB', `${(wasm.length / 1024).toFixed(1)} KB raw; every feature but statsd (the command line's own .wasm: ${(gzipSync(readFileSync(join(ROOT, 'pkg', 'dist', 'cli', 'librato_wasm_bg.wasm')), { level: 9 }).length / 1024).toFixed(1)} KB)`, gz / 1024 <= 150);
const small = entryGraph(join(ROOT, 'pkg', 'metrics', 'browser.js'));
const smallGz = small.reduce((n, f) => n + f.gz, 0);
const smallWasm = small.find((f) => f.file.endsWith('.wasm')).gz;
row('librato-wasm/metrics, whole module graph', `${(smallGz / 1024).toFixed(1)} KB gzipped`, '≤ 60 KB',
  `.wasm ${(smallWasm / 1024).toFixed(1)} KB + ${small.length - 1} JS modules ${((smallGz - smallWasm) / 1024).toFixed(1)} KB (the main entry's graph: ${(graphBytes(join(ROOT, 'pkg', 'browser.js')) / 1024).toFixed(1)} KB)`, smallGz / 1024 <= 60);
// A start-up is one short process, and this machine's noise is a large share of it: more
// processes than the other rows' runs, the floor alternating with the cold start so that both
// see the same load (a warm-up pair first).
const STARTS = Math.max(RUNS, 15);
const smallRuns = [];
const floors = [];
for (let i = 0; i <= STARTS; i++) {
  const r = child('metrics-cold-start.mjs', [], {}, []);
  const f = child('node-floor.mjs', [], {}, []).ms;
  if (i > 0) {
    smallRuns.push(r);
    floors.push(f);
  }
}
const smallColds = smallRuns.map((r) => r.ms);
const floor = median(floors);
row('librato-wasm/metrics cold start (import + first measure + flush)', `${median(smallColds).toFixed(1)} ms`, '≤ 10 ms',
  `median of ${STARTS} fresh Node processes, a stub fetch; range ${Math.min(...smallColds).toFixed(1)}-${Math.max(...smallColds).toFixed(1)} ms; medians: the import ${median(smallRuns.map((r) => r.importMs)).toFixed(1)} ms, the first constructor, measure and flush ${median(smallRuns.map((r) => r.firstCallsMs)).toFixed(1)} ms (V8 compiling each function on first use); Node's own floor (an ES module that reads a file and instantiates an empty .wasm) ${floor.toFixed(1)} ms`, median(smallColds) <= 10);
// The same cold start counted rather than timed, which this machine's load does not move: the
// wasm V8 compiles on first use, and its wasm-to-JS wrappers (one per distinct import signature).
const traced = spawnSync(process.execPath, ['--trace-wasm-compilation-times', join(ROOT, 'bench', 'metrics-cold-start.mjs')], { encoding: 'utf8' });
if (traced.status !== 0) throw new Error(`metrics-cold-start.mjs failed: ${traced.stderr}`);
let compiledFns = 0;
let compiledBytes = 0;
let wrappers = 0;
for (const line of traced.stdout.split('\n')) {
  const m = / using Liftoff, .*bodysize (\d+)/.exec(line);
  if (m) {
    compiledFns++;
    compiledBytes += Number(m[1]);
  } else if (line.startsWith('Compiled WasmToJS wrapper')) {
    wrappers++;
  }
}
row('librato-wasm/metrics cold start, counted', `${(compiledBytes / 1024).toFixed(1)} KB of wasm compiled`, '',
  `in ${compiledFns} functions on first use, and ${wrappers} wasm-to-JS wrappers (one per import signature); node --trace-wasm-compilation-times`);
// A plain `node`, as users run it: --expose-gc alone adds ~5 ms to Node's own start-up.
const colds = Array.from({ length: STARTS + 1 }, () => child('cold-start.mjs', [], {}, []).ms).slice(1);
row('cold start (import + first render of 10 lines)', `${median(colds).toFixed(1)} ms`, '≤ 20 ms', `median of ${STARTS} fresh Node processes; process start-up excluded`, median(colds) <= 20);

// 6. Peak memory: after a warm-up render of the input's first MB (the figure held to the
// target), and in a process whose first render is this one (one-off compile memory in too).
const WARM_BYTES = 1_000_000;
const mems = Array.from({ length: RUNS }, () => child('memory.mjs', [file], { WARM_BYTES: String(WARM_BYTES) }));
const mem = mems.sort((a, b) => (a.peak_rss - a.base_rss) - (b.peak_rss - b.base_rss))[Math.floor(RUNS / 2)];
const cold = child('memory.mjs', [file]);
const added = (m) => m.peak_rss - m.base_rss;
row('peak RSS: what render adds', `${(added(mem) / 1e6).toFixed(0)} MB`, `≤ 4× input (${(4 * mb).toFixed(0)} MB)`,
  `${(added(mem) / (mb * 1e6)).toFixed(2)}× the input (${mb.toFixed(0)} MB), of which the bodies (JS strings) are ${(js.output_bytes / 1e6).toFixed(0)} MB; peak ${(mem.peak_rss / 1e6).toFixed(0)} MB over Node with the input loaded (${(mem.base_rss / 1e6).toFixed(0)} MB), after a warm-up render of ${WARM_BYTES / 1e6} MB. As the process's first render: adds ${(added(cold) / 1e6).toFixed(0)} MB (${(added(cold) / (mb * 1e6)).toFixed(2)}×: V8's one-off compile memory)`, added(mem) <= 4 * mb * 1e6);

const width = (k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length));
const cols = ['what', 'value', 'target', 'met'];
const line = (r) => cols.map((k) => String(r[k]).padEnd(width(k))).join('  ') + '  ' + r.note;
console.log(`\nlibrato-wasm benchmarks (${LINES} lines, ${mb.toFixed(1)} MB; median of ${RUNS} after a warm-up; ${new Date().toISOString()})\n`);
console.log(line({ what: 'what', value: 'value', target: 'target', met: '', note: 'notes' }));
for (const r of rows) console.log(line(r));
writeFileSync(join(OUT, 'results.json'), JSON.stringify(rows, null, 2));
