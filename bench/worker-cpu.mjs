// CPU time of one 1,000-line write through the worker in workerd (Miniflare): the workerd
// process's own utime+stime, read from /proc, over batches of writes. Prints JSON.
import { readFileSync, readdirSync } from 'node:fs';
import { startLibratoApi } from '../dev/librato-api.mjs';
import { startWorker } from '../tests/js/worker-harness.mjs';

const runs = Number(process.argv[2] ?? 5);
// Enough writes per sample that the 10 ms ticks are a few percent of it.
const WRITES = Number(process.env.WRITES ?? 20);
const TICK_MS = 10; // USER_HZ = 100 on Linux

function cpuMsOf(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return ticks * TICK_MS;
}

function workerdPids() {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes('workerd') && cmd.includes('serve')) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}

const lines = [];
for (let i = 0; i < 1000; i++) {
  const host = `web-${String(i % 50).padStart(3, '0')}.prod.example.com`;
  lines.push(`cpu,cpu=cpu${i % 8},host=${host},dc=us-east-1 usage_idle=${(i % 100) + 0.5},usage_user=1.25,usage_system=0.75,usage_iowait=0.1 ${1764000000 + Math.floor(i / 50)}000000000`);
}
const body = lines.join('\n') + '\n';

const api = await startLibratoApi({ port: 0, user: 'u@example.com', token: 't' });
const MODE = process.env.WORKER_CPU_MODE ?? 'relay';
const worker = await startWorker({ WRITE_TOKEN: 'w', LIBRATO_API_USER: 'u@example.com', LIBRATO_API_TOKEN: 't', LIBRATO_API_URL: api.url,
  // render-only: one subrequest allowed, so the write is refused (413) right after rendering.
  ...(MODE === 'render-only' ? { MAX_SUBREQUESTS: '1' } : {}) }, { quiet: true });
const pids = workerdPids();
const write = async () => {
  const r = MODE === 'ping'
    ? await fetch(`${worker.url}/ping`)
    : await fetch(`${worker.url}/api/v2/write?bucket=b`, { method: 'POST', headers: { Authorization: 'Token w' }, body });
  await r.arrayBuffer();
  if (r.status !== (MODE === 'render-only' ? 413 : 204) && MODE !== 'ping') throw new Error(`write answered ${r.status}`);
};
for (let i = 0; i < Number(process.env.WARMUP ?? 5); i++) await write(); // warm-up
const perWrite = [];
for (let r = 0; r < runs; r++) {
  const before = cpuMsOf(pids);
  for (let i = 0; i < WRITES; i++) await write();
  perWrite.push((cpuMsOf(pids) - before) / WRITES);
  api.clear();
}
await worker.close();
await api.close();
perWrite.sort((a, b) => a - b);
console.log(JSON.stringify({ cpu_ms: perWrite[Math.floor(perWrite.length / 2)], runs, writes: WRITES, pids: pids.length }));
