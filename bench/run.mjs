#!/usr/bin/env node
// `make bench`: one table of figures, each the median of RUNS runs after a warm-up.
// Inputs are made by bench/gen_bench_lp.py (Telegraf-shaped line protocol, deterministic).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

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
const row = (what, value, target = '', note = '') => rows.push({ what, value, target, note });

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

// 1. render and parse through the public API in Node; 3. the floor.
const js = child('throughput.mjs', [file, String(RUNS)]);
row('render (Node, public API)', `${(mb / (js.render_ms / 1000)).toFixed(1)} MB/s`, '≥ 150 MB/s',
  `${js.render_ms.toFixed(1)} ms for ${mb.toFixed(1)} MB; ${(js.gauges / (js.render_ms / 1000) / 1e6).toFixed(2)} M gauges/s; ${js.gauges} gauges, ${(js.output_bytes / 1e6).toFixed(1)} MB of bodies in ${js.requests} requests`);
row('parse (Node, public API)', `${(mb / (js.parse_ms / 1000)).toFixed(1)} MB/s`, '', `${js.parse_ms.toFixed(1)} ms, ${js.metrics} Metric objects`);
row('floor: UTF-8 in + bodies out', `${js.floor_ms.toFixed(1)} ms`, '', `render = ${(js.render_ms / js.floor_ms).toFixed(1)}× the floor`);

const jin = child('json-throughput.mjs', [file, String(RUNS)]);
row('render of Telegraf JSON (Node)', `${(jin.bytes / 1e6 / (jin.render_ms / 1000)).toFixed(1)} MB/s`, '',
  `${jin.render_ms.toFixed(1)} ms for the same metrics as ${(jin.bytes / 1e6).toFixed(1)} MB of JSON; ${(jin.gauges / (jin.render_ms / 1000) / 1e6).toFixed(2)} M gauges/s`);

// 2. The same natively.
const native = JSON.parse(execFileSync('cargo', ['run', '--quiet', '--release', '--example', 'native_bench', '--', file, String(RUNS)], { cwd: ROOT, encoding: 'utf8' }).trim());
row('render (native Rust)', `${(mb / (native.render_ms / 1000)).toFixed(1)} MB/s`, '', `${native.render_ms.toFixed(1)} ms; the JS boundary costs ${(js.render_ms - native.render_ms).toFixed(1)} ms`);
row('parse (native Rust)', `${(mb / (native.parse_ms / 1000)).toFixed(1)} MB/s`, '', `${native.parse_ms.toFixed(1)} ms`);

// 4. Size.
const wasm = readFileSync(join(ROOT, 'pkg', 'dist', 'librato_wasm_bg.wasm'));
const gz = gzipSync(wasm, { level: 9 }).length;
row('.wasm size', `${(gz / 1024).toFixed(1)} KB gzipped`, '≤ 120 KB', `${(wasm.length / 1024).toFixed(1)} KB raw`);

// 5. Cold start: fresh processes.
// A plain `node`, as users run it: --expose-gc alone adds ~5 ms to Node's own start-up.
const colds = Array.from({ length: RUNS + 1 }, () => child('cold-start.mjs', [], {}, []).ms).slice(1);
row('cold start (import + first render of 10 lines)', `${median(colds).toFixed(1)} ms`, '≤ 20 ms', `fresh Node process each time; process start-up excluded`);

// 6. Peak memory: after a warm-up render of the input's first MB (the figure held to the
// target), and in a process whose first render is this one (one-off compile memory in too).
const WARM_BYTES = 1_000_000;
const mems = Array.from({ length: RUNS }, () => child('memory.mjs', [file], { WARM_BYTES: String(WARM_BYTES) }));
const mem = mems.sort((a, b) => (a.peak_rss - a.base_rss) - (b.peak_rss - b.base_rss))[Math.floor(RUNS / 2)];
const cold = child('memory.mjs', [file]);
const added = (m) => m.peak_rss - m.base_rss;
row('peak RSS: what render adds', `${(added(mem) / 1e6).toFixed(0)} MB`, `≤ 4× input (${(4 * mb).toFixed(0)} MB)`,
  `${(added(mem) / (mb * 1e6)).toFixed(2)}× the input (${mb.toFixed(0)} MB), of which the bodies (JS strings) are ${(js.output_bytes / 1e6).toFixed(0)} MB; peak ${(mem.peak_rss / 1e6).toFixed(0)} MB over Node with the input loaded (${(mem.base_rss / 1e6).toFixed(0)} MB), after a warm-up render of ${WARM_BYTES / 1e6} MB. As the process's first render: adds ${(added(cold) / 1e6).toFixed(0)} MB (${(added(cold) / (mb * 1e6)).toFixed(2)}×: V8's one-off compile memory)`);

// 7. Worker CPU per 1,000-line write, measured on the workerd process.
try {
  const w = child('worker-cpu.mjs', [String(RUNS)]);
  const r = child('worker-cpu.mjs', [String(RUNS)], { WORKER_CPU_MODE: 'render-only' });
  const p = child('worker-cpu.mjs', [String(RUNS)], { WORKER_CPU_MODE: 'ping' });
  const alone = child('worker-render.mjs', [String(RUNS)]);
  row('worker: CPU per 1,000-line write (workerd)', `${w.cpu_ms.toFixed(2)} ms`, '≤ 2 ms',
    `4,000 gauges, 14 Librato requests; workerd's own utime+stime per write (10 ms ticks, median of ${w.runs}×${w.writes} writes). Of it: request + parse + render ${r.cpu_ms.toFixed(2)} ms (render() alone: ${alone.cpu_ms.toFixed(2)} ms), a bare /ping ${p.cpu_ms.toFixed(2)} ms, the rest is the 14 outbound fetches`);
} catch (e) {
  row('worker: CPU per 1,000-line write (workerd)', 'n/a', '≤ 2 ms', e.message.split('\n')[0]);
}

const width = (k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length));
const cols = ['what', 'value', 'target'];
const line = (r) => cols.map((k) => String(r[k]).padEnd(width(k))).join('  ') + '  ' + r.note;
console.log(`\nlibrato-wasm benchmarks (${LINES} lines, ${mb.toFixed(1)} MB; median of ${RUNS} after a warm-up; ${new Date().toISOString()})\n`);
console.log(line({ what: 'what', value: 'value', target: 'target', note: 'notes' }));
for (const r of rows) console.log(line(r));
writeFileSync(join(OUT, 'results.json'), JSON.stringify(rows, null, 2));
