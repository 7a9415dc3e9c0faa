// LibratoMetrics in Node: measure() with a source (and with tags) over 1,000 series, next to
// librato-node's measure() in the same process (a dev dependency of this bench only); and
// 10,000 series held (wasm + JS heap) and the time to flush them, in each entry. Prints JSON.
import { createRequire } from 'node:module';
import { LibratoMetrics, LibratoOutput } from '../pkg/node.js';
// The metrics entry's source, not its bundle (the same .wasm): its glue module is where that
// instance's memory is read.
import { LibratoMetrics as SmallMetrics } from '../pkg/metrics/node.js';

const require = createRequire(import.meta.url);
const runs = Number(process.argv[2] ?? 5);
const N = 2_000_000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const names = Array.from({ length: 1000 }, (_, i) => `metric.${i}`);
const ack = async () => new Response(null, { status: 200 });

function ours(opts) {
  const m = new LibratoMetrics({ api_user: 'u@example.com', api_token: 't', api_url: 'http://127.0.0.1:9/v1/metrics' }, { fetch: ack });
  return () => { for (let i = 0; i < N; i++) m.measure(names[i % 1000], i, opts(i)); };
}
const librato = require('librato-node');
librato.configure({ email: 'u@example.com', token: 't', period: 3_600_000 });
const theirs = (opts) => () => { for (let i = 0; i < N; i++) librato.measure(names[i % 1000], i, opts(i)); };

const withSource = () => ({ source: 'web-1' });
const withTags = () => ({ tags: { route: '/users' } });
const cases = { ours_source: ours(withSource), ours_tags: ours(withTags), librato_node: theirs(withSource) };
const rates = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r <= runs; r++) {
  // Alternating, so that the machine's noise falls on each alike.
  for (const [k, fn] of Object.entries(cases)) {
    globalThis.gc?.();
    const t = performance.now();
    fn();
    const ms = performance.now() - t;
    if (r > 0) rates[k].push(N / ms / 1000);
  }
}

// 10,000 series held: what they add to the JS heap and wasm memory, then one flush of them
// (after a first flush, so that Node's fetch machinery is loaded, as in a running service);
// for each entry (librato-wasm/metrics has its own .wasm and allocator).
async function held(Class, glue) {
  const warm = new Class({ api_user: 'u@example.com', api_token: 't', api_url: 'http://127.0.0.1:9/v1/metrics' }, { fetch: ack });
  warm.measure('warm', 1);
  await warm.flush({ all: true });
  globalThis.gc?.();
  const { __wasmMemoryBytes } = await import(glue);
  const heap0 = process.memoryUsage().heapUsed;
  const wasm0 = __wasmMemoryBytes();
  let now = 1_764_000_000_000;
  const big = new Class({ api_user: 'u@example.com', api_token: 't', api_url: 'http://127.0.0.1:9/v1/metrics', concurrency: 64 }, { fetch: ack, now: () => now });
  for (let i = 0; i < 9_999; i++) { big.measure(`series.${i}`, i, { source: 'web-1' }); big.measure(`series.${i}`, i + 1, { source: 'web-1' }); }
  big.measure("x", 0); // the 10,000th series: drains the buffer into wasm
  globalThis.gc?.();
  const heldBytes = process.memoryUsage().heapUsed - heap0 + (__wasmMemoryBytes() - wasm0);
  now += 60_000;
  const t = performance.now();
  const report = await big.flush();
  const flushMs = performance.now() - t;
  if (report.sent !== 10_000) throw new Error(`flushed ${report.sent}`);
  return { heldBytes, flushMs };
}
const main = await held(LibratoMetrics, '../pkg/dist/librato_wasm.js');
const small = await held(SmallMetrics, '../pkg/dist/metrics/librato_wasm.js');
void LibratoOutput;
console.log(JSON.stringify({
  ours_source: median(rates.ours_source), ours_tags: median(rates.ours_tags), librato_node: median(rates.librato_node),
  held_bytes: main.heldBytes, flush_ms: main.flushMs,
  metrics_entry_held_bytes: small.heldBytes, metrics_entry_flush_ms: small.flushMs,
}));
