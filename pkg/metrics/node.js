// librato-wasm/metrics, Node entry: LibratoMetrics alone over its own small .wasm
// (dist/metrics/), read next to this file and instantiated synchronously.
import { readFileSync } from 'node:fs';
import * as bindings from '../dist/metrics/librato_wasm.js';

bindings.initSync({ module: readFileSync(new URL('../dist/metrics/librato_wasm_bg.wasm', import.meta.url)) });

// The glue bundles guard.js and metrics.js (scripts/build.sh): one script to load.
export const LibratoMetrics = bindings.makeMetrics(bindings, bindings.makeGuard(bindings));
