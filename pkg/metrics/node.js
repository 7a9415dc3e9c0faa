// librato-wasm/metrics, Node entry: LibratoMetrics alone over its own small .wasm
// (dist/metrics/), read next to this file and instantiated synchronously.
import { readFileSync } from 'node:fs';
import * as bindings from '../dist/metrics/librato_wasm.js';
import { makeGuard } from '../src/guard.js';
import { makeMetrics } from '../src/metrics.js';

bindings.initSync({ module: readFileSync(new URL('../dist/metrics/librato_wasm_bg.wasm', import.meta.url)) });

export const LibratoMetrics = makeMetrics(bindings, makeGuard(bindings));
