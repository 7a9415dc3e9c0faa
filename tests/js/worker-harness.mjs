// Starts the worker (worker/src) in real workerd through Miniflare, with the package's workerd
// entry standing in for the bare 'librato-wasm' import (as Wrangler's bundler resolves it).
import { Miniflare } from 'miniflare';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';

/**
 * The package's files as workerd modules next to `dir`, where a module in `dir` importing the
 * bare 'librato-wasm' finds them (as Wrangler's bundler resolves it).
 */
export function packageModules(dir) {
  const pkg = join(ROOT, 'pkg');
  return [
    { type: 'ESModule', path: join(dir, 'librato-wasm'), contents: readFileSync(join(pkg, 'workerd.js'), 'utf8') },
    ...['api.js', 'guard.js', 'metrics.js', 'send.js'].map((f) => ({ type: 'ESModule', path: join(dir, 'src', f), contents: readFileSync(join(pkg, 'src', f), 'utf8') })),
    { type: 'ESModule', path: join(dir, 'dist', 'librato_wasm.js'), contents: readFileSync(join(pkg, 'dist', 'librato_wasm.js'), 'utf8') },
    { type: 'CompiledWasm', path: join(dir, 'dist', 'librato_wasm_bg.wasm'), contents: readFileSync(join(pkg, 'dist', 'librato_wasm_bg.wasm')) },
  ];
}

/**
 * The files of 'librato-wasm/metrics' as workerd modules next to `dir`: a module in `dir`
 * imports './librato-wasm/metrics' (where a bundler would resolve the subpath export).
 */
export function metricsModules(dir) {
  const pkg = join(ROOT, 'pkg');
  const at = (f) => join(dir, 'librato-wasm', f);
  return [
    { type: 'ESModule', path: at('metrics'), contents: readFileSync(join(pkg, 'metrics', 'workerd.js'), 'utf8').replaceAll("'../", "'./") },
    { type: 'ESModule', path: at('dist/metrics/librato_wasm.js'), contents: readFileSync(join(pkg, 'dist', 'metrics', 'librato_wasm.js'), 'utf8') },
    { type: 'CompiledWasm', path: at('dist/metrics/librato_wasm_bg.wasm'), contents: readFileSync(join(pkg, 'dist', 'metrics', 'librato_wasm_bg.wasm')) },
  ];
}

/** The worker's modules, with the package where the bare 'librato-wasm' import resolves. */
function relayModules() {
  const w = join(ROOT, 'worker', 'src');
  return [
    { type: 'ESModule', path: join(w, 'index.mjs') },
    { type: 'ESModule', path: join(w, 'body.mjs') },
    { type: 'ESModule', path: join(w, 'auth.mjs') },
    { type: 'ESModule', path: join(w, 'responses.mjs') },
    { type: 'ESModule', path: join(w, 'queue.mjs') },
    // workerd resolves the bare specifier 'librato-wasm' next to its importer: the package's
    // workerd entry goes there, as the files of the published package lie.
    ...packageModules(w),
  ];
}

export async function startWorker(bindings, { log = false, quiet = false, onOutput = null } = {}) {
  const mf = new Miniflare({
    modulesRoot: ROOT,
    modules: relayModules(),
    compatibilityDate: '2026-04-01',
    bindings,
    host: '127.0.0.1',
    port: 0,
    verbose: log,
    // quiet: keep the worker's log lines off stdout (benchmarks print JSON there);
    // onOutput: hand them to the caller instead.
    ...(quiet || onOutput ? {
      handleRuntimeStdio: (out, err) => {
        for (const s of [out, err]) s.on('data', (d) => onOutput?.(d.toString()));
      },
    } : {}),
  });
  const url = await mf.ready;
  return { url: url.href.replace(/\/$/, ''), mf, close: () => mf.dispose() };
}

/**
 * The relay in durable mode: producer LIBRATO_QUEUE and consumer of 'librato-relay', and
 * LIBRATO_DEAD_LETTER; a second worker consumes the dead-letter queue (locally a queue without
 * a consumer drops its messages) and POSTs each dead letter to `deadLetterSink`.
 */
export async function startDurableWorker(bindings, { consumer = {}, deadLetterSink, onOutput = null } = {}) {
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    ...(onOutput ? { handleRuntimeStdio: (out, err) => { for (const s of [out, err]) s.on('data', (d) => onOutput(d.toString())); } } : {}),
    workers: [
      {
        name: 'relay',
        modulesRoot: ROOT,
        modules: relayModules(),
        compatibilityDate: '2026-04-01',
        bindings,
        queueProducers: { LIBRATO_QUEUE: { queueName: 'librato-relay' }, LIBRATO_DEAD_LETTER: { queueName: 'librato-relay-dead' } },
        queueConsumers: {
          'librato-relay': { maxBatchSize: 100, maxBatchTimeout: 0, maxRetries: 100, deadLetterQueue: 'librato-relay-dead', retryDelay: 0, ...consumer },
        },
      },
      {
        name: 'dead-letter-sink',
        modules: true,
        compatibilityDate: '2026-04-01',
        bindings: { SINK: deadLetterSink },
        script: `export default { async queue(batch, env) {
          for (const m of batch.messages) { await fetch(env.SINK, { method: 'POST', body: typeof m.body === 'string' ? m.body : JSON.stringify(m.body) }); m.ack(); }
        } }`,
        queueConsumers: { 'librato-relay-dead': { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 5 } },
      },
    ],
  });
  const url = await mf.ready;
  return { url: url.href.replace(/\/$/, ''), mf, close: () => mf.dispose() };
}
