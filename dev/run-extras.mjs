// The parts of `make run` beyond the local API: the edge worker under `wrangler dev`, and the
// playground's static server. Each returns { stop() }.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const WRITE_TOKEN = process.env.WRITE_TOKEN ?? 'demo-write-token';
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

export async function startExtras({ api, user, token, root }) {
  const started = [];
  started.push(await startWorker({ api, user, token, root }));
  const www = join(root, 'dev', 'static-server.mjs');
  if (existsSync(www)) {
    const { startStaticServer } = await import(www);
    const port = Number(process.env.PLAYGROUND_PORT ?? 8080);
    const server = await startStaticServer({ root, port, apiUrl: api.url });
    console.log(`${bold('Playground')}  ${server.url}  (Send goes to the local API: ${api.url})`);
    started.push(server);
  }
  return started;
}

async function startWorker({ api, user, token, root }) {
  const port = Number(process.env.WORKER_PORT ?? 8787);
  const args = [
    'dev', '--ip', '127.0.0.1', '--port', String(port),
    '--var', `WRITE_TOKEN:${WRITE_TOKEN}`,
    '--var', `LIBRATO_API_URL:${api.url}`,
    '--var', `LIBRATO_API_USER:${user}`,
    '--var', `LIBRATO_API_TOKEN:${token}`,
  ];
  const child = spawn(join(root, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: join(root, 'worker'),
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_UPDATE_NOTIFIER: '1' },
    detached: true, // its own process group, so workerd stops with it
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('wrangler dev did not start within 60 s')), 60_000);
    const onData = (buf) => {
      for (const line of buf.toString().split('\n')) {
        // wrangler cannot reach Cloudflare from here; its warnings about that are noise.
        if (!line.trim() || /Request\.cf|ENOTFOUND|GetAddrInfoReqWrap|^\s+at /.test(line)) continue;
        if (/Ready on/.test(line)) { clearTimeout(timer); resolve(); }
        if (/\[wrangler:(info|error)\]|librato-wasm worker|error/i.test(line)) console.log(`  [worker] ${line.trim()}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`wrangler dev exited with ${code}`)));
  });
  try {
    await ready;
  } catch (e) {
    console.log(`  [worker] not started: ${e.message}`);
    return { stop: async () => {} };
  }
  const base = `http://127.0.0.1:${port}`;
  console.log(`${bold('Edge worker')}  ${base}  (wrangler dev, durable mode on local Cloudflare Queues; upstream ${api.url}; WRITE_TOKEN=${WRITE_TOKEN})`);
  console.log(`  try:  curl -i -X POST '${base}/api/v2/write?org=demo&bucket=demo&precision=s' \\`);
  console.log(`          -H 'Authorization: Token ${WRITE_TOKEN}' --data-binary "cpu,host=demo usage_idle=97.5 $(date +%s)"`);
  return {
    stop: async () => {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    },
  };
}
