// librato-wasm/metrics, Node entry: LibratoMetrics alone over its own small .wasm
// (dist/metrics/), read next to this file and instantiated synchronously (no top-level await:
// `require()` of this entry must keep working).
// `node:fs` through require: its ESM form evaluates every export, which loads Node's streams
// (~0.7 ms of a cold start, for a function this entry does not call).
import { createRequire } from 'node:module';
import * as bindings from '../dist/metrics/librato_wasm.js';

const { readFileSync } = createRequire(import.meta.url)('node:fs');
bindings.initSync({ module: readFileSync(new URL('../dist/metrics/librato_wasm_bg.wasm', import.meta.url)) });

// The glue bundles guard.js and metrics.js (scripts/build.sh): one script to load.
export const LibratoMetrics = bindings.makeMetrics(bindings, bindings.makeGuard(bindings));
