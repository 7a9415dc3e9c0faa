// The command line's own module: the package's API (the same src/api.js) over the .wasm built
// with the `statsd` feature (pkg/dist/cli/), so that the entries users import never carry the
// StatsD code and the command line loads one module whatever its command.
import { readFileSync } from 'node:fs';
import * as bindings from '../dist/cli/librato_wasm.js';
import { makeApi } from '../src/api.js';
import { makeGuard } from '../src/guard.js';

bindings.initSync({ module: readFileSync(new URL('../dist/cli/librato_wasm_bg.wasm', import.meta.url)) });

export const { parse, loadConfig, render, redactConfig, LibratoOutput, LibratoMetrics, call } = makeApi(bindings);
export const { StatsdCore } = bindings;
// Counts the instance's resets (shared with the API's guard): objects made before one are gone.
export const { generation } = makeGuard(bindings);
