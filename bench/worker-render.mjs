// CPU of the worker's write path without the network, inside workerd: one request writes the
// same 1,000 lines (as the request's bytes, as the worker passes them) N times through
// LibratoOutput.write with a fetch that acknowledges at once, and N render() calls of the same
// text for comparison; the durable relay's write (render into queue messages, and sendBatch to
// a local queue) and its consumer (deliver() of those messages, fetch acknowledging at once);
// the workerd process's utime+stime is divided by N. Prints JSON.
import { Miniflare } from 'miniflare';
import { packageModules } from '../tests/js/worker-harness.mjs';
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'wrender-'));
const N = 200;
const script = `import { render, LibratoOutput } from 'librato-wasm';
const out = new LibratoOutput({ api_user: 'u@example.com', api_token: 't', api_url: 'http://127.0.0.1:9/v1/metrics', concurrency: 64 },
  { fetch: async () => new Response(null, { status: 204 }) });
let packed = null;
export default { async fetch(req, env) {
  const bytes = new Uint8Array(await req.arrayBuffer()); const params = new URL(req.url).searchParams;
  const n = Number(params.get('n'));
  let g = 0;
  const fn = params.get('fn');
  if (fn === 'render') { const text = new TextDecoder().decode(bytes); for (let i = 0; i < n; i++) g += render(text).gauges; }
  else if (fn === 'durable') {
    for (let i = 0; i < n; i++) {
      const p = out.pack(bytes, { maxMessages: 100 });
      await Promise.all(p.batches.map((b) => env.Q.sendBatch(b.map((body) => ({ body, contentType: 'text' })))));
      g += p.gauges;
    }
  } else if (fn === 'pack') {
    for (let i = 0; i < n; i++) g += out.pack(bytes, { maxMessages: 100 }).gauges;
  } else if (fn === 'deliver') {
    packed ??= out.pack(bytes).messages.map((body) => ({ body, attempts: 1 }));
    for (let i = 0; i < n; i++) {
      const d = await out.deliver(packed, { maxRequests: 1000 });
      g += d.outcomes.every((o) => o.ack) ? d.items : 0;
    }
  }
  else for (let i = 0; i < n; i++) g += (await out.write(bytes)).sent;
  return new Response(String(g));
} };`;
const mf = new Miniflare({
  modulesRoot: dir,
  modules: [
    { type: 'ESModule', path: join(dir, 'index.mjs'), contents: script },
    ...packageModules(dir),
  ],
  compatibilityDate: '2026-04-01',
  queueProducers: { Q: { queueName: 'bench' } },
  host: '127.0.0.1',
  port: 0,
});
const url = await mf.ready;
const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
  try { const c = readFileSync(`/proc/${d}/cmdline`, 'utf8'); return c.includes('workerd') && c.includes('serve'); } catch { return false; }
});
const cpu = () => pids.reduce((t, p) => {
  const s = readFileSync(`/proc/${p}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return t + Number(f[11]) + Number(f[12]);
}, 0) * 10;
const lines = [];
for (let i = 0; i < 1000; i++) {
  lines.push(`cpu,cpu=cpu${i % 8},host=web-${String(i % 50).padStart(3, '0')}.prod.example.com,dc=us-east-1 usage_idle=${(i % 100) + 0.5},usage_user=1.25,usage_system=0.75,usage_iowait=0.1 ${1764000000 + Math.floor(i / 50)}000000000`);
}
const body = lines.join('\n') + '\n';
await (await fetch(`${url}?n=20`, { method: 'POST', body })).text(); // warm-up
await (await fetch(`${url}?n=20&fn=render`, { method: 'POST', body })).text();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await (await fetch(`${url}?n=20&fn=durable`, { method: 'POST', body })).text();
await (await fetch(`${url}?n=20&fn=deliver`, { method: 'POST', body })).text();
const write = [];
const rendered = [];
const durable = [];
const packs = [];
const delivered = [];
for (let r = 0; r < Number(process.argv[2] ?? 5); r++) {
  for (const [fn, into] of [['write', write], ['render', rendered], ['durable', durable], ['pack', packs], ['deliver', delivered]]) {
    const before = cpu();
    const g = Number(await (await fetch(`${url}?n=${N}&fn=${fn}`, { method: 'POST', body })).text());
    if (g !== N * 4000) throw new Error(`${fn}: ${g} gauges`);
    into.push((cpu() - before) / N);
  }
}
await mf.dispose();
console.log(JSON.stringify({ cpu_ms: median(write), render_ms: median(rendered), durable_ms: median(durable), pack_ms: median(packs), deliver_ms: median(delivered), writes: N }));
