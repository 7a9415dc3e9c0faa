// Imported first by the command line, before the .wasm is compiled: `execd` is a sidecar
// that Telegraf keeps running beside every agent, so it trades peak speed for memory. V8's
// optimising tiers (TurboFan for the wasm and for JS) hold ~10 MB of code and compiler memory
// that a process doing one request at a time does not need: with Liftoff and the baseline
// tiers only, 10,000 lines pending take ~62 MB of RSS instead of 69-84 (docs/performance.md).
// LIBRATO_WASM_FULL_SPEED=1 keeps every tier.
import v8 from 'node:v8';

if (process.argv[2] === 'execd' && process.env.LIBRATO_WASM_FULL_SPEED !== '1') {
  v8.setFlagsFromString('--liftoff-only');
  v8.setFlagsFromString('--no-opt');
}
