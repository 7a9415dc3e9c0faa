// write() from a Uint8Array (as a request body arrives) with a do-nothing fetch that
// acknowledges every batch at once: the whole path from bytes to bodies handed to fetch, in
// Node. Prints JSON.
import { readFileSync } from 'node:fs';
import { LibratoOutput } from '../pkg/node.js';

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const bytes = new Uint8Array(readFileSync(file));
const ack = new Response(null, { status: 204 });
let posted = 0;
const out = new LibratoOutput(
  { api_user: 'bench@example.com', api_token: 'bench-token', api_url: 'http://127.0.0.1:9/v1/metrics', concurrency: 64 },
  { fetch: async (url, init) => { posted += init.body.byteLength; return ack.clone(); } },
);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = [];
let report;
for (let i = 0; i <= runs; i++) {
  globalThis.gc?.();
  posted = 0;
  const t = performance.now();
  report = await out.write(bytes);
  if (i > 0) ms.push(performance.now() - t);
}
if (!report.ok) throw new Error(`write failed: ${JSON.stringify(report.failed[0])}`);
console.log(JSON.stringify({ write_ms: median(ms), bytes: bytes.length, gauges: report.sent, requests: report.requests, posted }));
