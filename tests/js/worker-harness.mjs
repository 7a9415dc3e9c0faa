// Starts the worker (worker/src) in real workerd through Miniflare, with the package's workerd
// entry standing in for the bare 'librato-wasm' import (as Wrangler's bundler resolves it).
import { Miniflare } from 'miniflare';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';

export async function startWorker(bindings, { log = false, quiet = false, onOutput = null } = {}) {
  const pkg = join(ROOT, 'pkg');
  const w = join(ROOT, 'worker', 'src');
  const mf = new Miniflare({
    modulesRoot: ROOT,
    modules: [
      { type: 'ESModule', path: join(w, 'index.mjs') },
      { type: 'ESModule', path: join(w, 'body.mjs') },
      { type: 'ESModule', path: join(w, 'auth.mjs') },
      { type: 'ESModule', path: join(w, 'responses.mjs') },
      // workerd resolves the bare specifier 'librato-wasm' next to its importer: the package's
      // workerd entry goes there, and its own relative imports resolve next to it, exactly
      // as the files of the published package lie.
      { type: 'ESModule', path: join(w, 'librato-wasm'), contents: readFileSync(join(pkg, 'workerd.js'), 'utf8') },
      { type: 'ESModule', path: join(w, 'src', 'api.js'), contents: readFileSync(join(pkg, 'src', 'api.js'), 'utf8') },
      { type: 'ESModule', path: join(w, 'dist', 'librato_wasm.js'), contents: readFileSync(join(pkg, 'dist', 'librato_wasm.js'), 'utf8') },
      { type: 'CompiledWasm', path: join(w, 'dist', 'librato_wasm_bg.wasm'), contents: readFileSync(join(pkg, 'dist', 'librato_wasm_bg.wasm')) },
    ],
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
