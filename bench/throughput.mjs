// render and parse through the public API, and the floor any wasm design pays (UTF-8 in,
// bodies out). Prints JSON.
import { readFileSync } from 'node:fs';
import { render, parse } from '../pkg/node.js';

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const text = readFileSync(file, 'utf8');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => { const t = performance.now(); const r = fn(); return [performance.now() - t, r]; };

const renderMs = [];
const compactMs = [];
const taggedMs = [];
let taggedBytes = 0;
const parseMs = [];
const floorMs = [];
let plan;
let metrics = 0;
let outputBytes = 0;
let compactBytes = 0;
for (let i = 0; i <= runs; i++) {
  globalThis.gc?.();
  const [r, p] = time(() => render(text));
  plan = p;
  outputBytes = p.requests.reduce((n, q) => n + q.body.length, 0);
  globalThis.gc?.();
  const [c, compact] = time(() => render(text, { body_format: 'compact' }));
  compactBytes = compact.requests.reduce((n, q) => n + q.body.length, 0);
  globalThis.gc?.();
  // The tagged API's bodies from the same input, in the same loop (so each run compares alike).
  const [t, tagged] = time(() => render(text, { api: 'measurements' }));
  taggedBytes = tagged.requests.reduce((n, q) => n + q.body.length, 0);
  globalThis.gc?.();
  const [q, parsed] = time(() => parse(text));
  metrics = parsed.metrics.length;
  globalThis.gc?.();
  // The floor: copy the input into a buffer as UTF-8 (as wasm-bindgen does), and decode
  // output-sized ASCII bytes back into a JS string.
  const out = new Uint8Array(outputBytes).fill(0x61);
  const [f] = time(() => {
    const buf = new Uint8Array(text.length * 3);
    new TextEncoder().encodeInto(text, buf);
    return new TextDecoder().decode(out).length;
  });
  if (i > 0) { renderMs.push(r); compactMs.push(c); taggedMs.push(t); parseMs.push(q); floorMs.push(f); }
}
console.log(JSON.stringify({
  render_ms: median(renderMs), parse_ms: median(parseMs), floor_ms: median(floorMs),
  compact_ms: median(compactMs), compact_bytes: compactBytes,
  tagged_ms: median(taggedMs), tagged_bytes: taggedBytes,
  // Per run, tagged over gauges: the ratio of medians hides how the two move together.
  tagged_ratio: median(taggedMs.map((t, i) => t / renderMs[i])),
  gauges: plan.gauges, requests: plan.requests.length, output_bytes: outputBytes, metrics,
}));
