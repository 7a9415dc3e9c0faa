#!/usr/bin/env node
// The librato-wasm command line: check, render, send, resend, execd (Telegraf's
// [[outputs.execd]]) and statsd (in place of statsd + statsd-librato-backend). Exit codes: 0 success, 1 a problem with the config, the input or the
// delivery, 2 a usage error.
import './lean.mjs';
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { render, LibratoOutput } from './wasm.mjs';
import { UsageError, checkReadOptions, configProblem, readConfig, readInput } from './common.mjs';
import { execd } from './execd.mjs';
import { statsd, parseListen, parseInterval, parsePercentiles, readStatsdConfig } from './statsd.mjs';
import os from 'node:os';

const HELP = {
  main: `librato-wasm: Telegraf's Librato output on the command line

Usage: librato-wasm <command> [options]

Commands:
  check CONFIG                  check a telegraf.conf (or a bare [[outputs.librato]] table)
  render [--config C] [FILE|-]  show what would be sent
  send --config C [FILE|-]      send once, with the config's retries
  resend --config C FILE        send again the bodies --failed wrote
  execd --config C              run behind Telegraf's [[outputs.execd]]
  statsd --config C             listen for StatsD (in place of statsd + statsd-librato-backend)

Each command takes --help. Exit codes: 0 success; 1 the config is invalid, a line could not be
read, or something was not delivered; 2 a usage error.
Config values: \${VAR} from the environment; @{store:key} from LIBRATO_SECRET_<STORE>_<KEY>
(upper case, other characters as _).`,
  check: `Usage: librato-wasm check CONFIG

Prints each problem as FILE:LINE:COLUMN: message and each warning as FILE: warning: ...
Exit 0 when the config is valid, 1 when not, 2 for a usage error.`,
  render: `Usage: librato-wasm render [--config CONFIG] [--format influx|json] [--precision P] [--json] [FILE|-]

Prints the requests (with their bodies), what was skipped and why, and the lines that could not
be read (FILE:LINE:COLUMN: message). --json prints the plan as JSON. Exit 0, or 1 when a line
could not be read.`,
  send: `Usage: librato-wasm send --config CONFIG [--format influx|json] [--precision P] [--failed OUT] [FILE|-]

Sends once, with the config's retries, and prints the report. --failed OUT writes what was not
acknowledged, for resend. Exit 0 when everything was acknowledged, 1 otherwise.`,
  resend: `Usage: librato-wasm resend --config CONFIG FILE

Sends again the bodies a send --failed wrote. Exit 0 when all were acknowledged, 1 otherwise.`,
  execd: `Usage: librato-wasm execd --config CONFIG [--spool DIR] [--buffer-limit N] [--flush-after MS]

For Telegraf's [[outputs.execd]] (data_format = "influx"): reads line protocol from stdin as it
arrives and sends each chunk once complete (an idle gap of --flush-after ms, default 200, or
batch_size gauges), retrying while the API is down. Unacknowledged gauges are kept, at most
--buffer-limit (default 10,000; past it the oldest are dropped with an E! line); with --spool
DIR each is on disk until acknowledged and a restart resends it. stderr lines carry Telegraf's
E!/W!/I!/D! prefixes. On stdin's end or SIGTERM/SIGINT: sends what is pending within
--shutdown-timeout ms (default 4000: Telegraf kills the process 5 s after its SIGTERM), then
aborts what is in flight and exits 0 (a second signal: at once); what is left stays in the
spool, or is counted on an E! line. --format and --precision are checked at start-up (exit 2).
Also: --retry-base S (1), --retry-max S (60), --summary-every MS (60000).`,
  statsd: `Usage: librato-wasm statsd --config CONFIG [--listen udp://HOST:PORT]... [--listen tcp://HOST:PORT]...
                          [--flush-interval D] [--percentiles 90,99] [--statsd-config config.js] [--spool DIR]

In place of statsd 0.9.0 with statsd-librato-backend 2.0.16: reads StatsD lines (counters |c with
sample rates, gauges |g with +N/-N, timers |ms, |h and |d as timers, sets |s, the backend's
name#tag=value and DogStatsD |#tag:value) and posts each --flush-interval (default 10s) what
the backend posts: the same series, values, percentiles (--percentiles, default none) and API.
--listen defaults to udp://127.0.0.1:8125 (repeat it for more). --statsd-config reads your
statsd config file: port, servers, flushInterval, percentThreshold (default 90, as statsd's),
deleteIdleStats and the delete* keys, keyNameSanitize, and its librato block (email, token,
api, source, host, tags, globalPrefix, snapTime...); --config is then optional, and keys it
cannot honour are warned. Delivery as execd's: --spool DIR, --buffer-limit N (10,000),
--shutdown-timeout MS (4000), --retry-base S, --retry-max S, --summary-every MS. stderr lines
carry Telegraf's E!/W!/I!/D! prefixes; one W! line per flush counts the bad lines, with an
example. SIGTERM/SIGINT: flushes, sends within --shutdown-timeout, exits 0.`,
};

const common = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string', short: 'c' },
  format: { type: 'string' },
  precision: { type: 'string' },
};

function args(argv, options, help) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...common, ...options }, allowPositionals: true });
  } catch (e) {
    throw new UsageError(`${e.message}\n\n${help}`);
  }
  if (parsed.values.help) {
    console.log(help);
    process.exit(0);
  }
  return parsed;
}

function readOptions(values) {
  const o = {};
  if (values.format) o.format = values.format;
  if (values.precision) o.precision = values.precision;
  return checkReadOptions(o);
}

const where = (file) => (file && file !== '-' ? file : '<stdin>');

function check(argv) {
  const { positionals } = args(argv, {}, HELP.check);
  if (positionals.length !== 1) throw new UsageError(`check takes one CONFIG file\n\n${HELP.check}`);
  const file = positionals[0];
  let configs;
  try {
    ({ configs } = readConfig(file));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    console.error(configProblem(file, e));
    return 1;
  }
  if (configs.length === 0) {
    console.error(`${file}: no [[outputs.librato]] table`);
    return 1;
  }
  for (const c of configs) for (const w of c.warnings) console.error(`${file}: warning: ${w}`);
  console.log(`${file}: ok (${configs.length} [[outputs.librato]] table${configs.length === 1 ? '' : 's'}, api = "${configs[0].api}")`);
  return 0;
}

function configOf(values, required) {
  if (!values.config) {
    if (required) throw new UsageError('--config CONFIG is required');
    return { config: undefined, options: {} };
  }
  try {
    const r = readConfig(values.config);
    if (!r.config) throw Object.assign(new Error('no [[outputs.librato]] table'), {});
    return r;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    console.error(configProblem(values.config, e));
    process.exit(1);
  }
}

async function renderCommand(argv) {
  const { values, positionals } = args(argv, { json: { type: 'boolean' } }, HELP.render);
  const { config } = configOf(values, false);
  const file = positionals[0];
  const read = readOptions(values);
  const input = await readInput(file);
  const plan = render(input, config ?? {}, read);
  if (values.json) {
    console.log(JSON.stringify({ requests: plan.requests, gauges: plan.gauges, skipped: plan.skipped, errors: plan.errors, warnings: plan.warnings }, null, 2));
  } else {
    plan.requests.forEach((r, i) => {
      console.log(`request ${i + 1}: ${r.method} ${r.url}  ${r.count} ${config?.api === 'measurements' ? 'measurements' : 'gauges'}, ${r.body.length} bytes`);
      console.log(r.body);
    });
    for (const s of plan.skipped) {
      console.log(`${where(file)}:${s.line ?? 0}: skipped ${s.field ? `${s.metric} / ${s.field}` : s.metric}: ${s.reason}: ${s.message}`);
    }
    for (const w of plan.warnings) console.error(`warning: ${w}`);
    console.log(`${plan.gauges} ${config?.api === 'measurements' ? 'measurements' : 'gauges'} in ${plan.requests.length} request(s), ${plan.skipped.length} skipped, ${plan.errors.length} line error(s)`);
  }
  for (const e of plan.errors) console.error(`${where(file)}:${e.line}:${e.column}: ${e.message}`);
  return plan.errors.length ? 1 : 0;
}

function printReport(r) {
  console.log(`ok: ${r.ok}; sent ${r.sent} in ${r.requests} request(s), ${r.attempts} attempt(s); ${r.skipped.length} skipped; ${r.errors.length} line error(s)`);
  for (const f of r.failed) console.log(`failed: ${f.count}, status ${f.status ?? '-'}, ${f.attempts} attempt(s)${f.retryable ? ', retryable' : ''}: ${f.message}`);
}

const stderrLog = (level, message) => {
  const prefix = { debug: 'D!', info: 'I!', warn: 'W!', error: 'E!' }[level] ?? 'I!';
  console.error(`${prefix} ${message}`);
};

async function sendCommand(argv) {
  const { values, positionals } = args(argv, { failed: { type: 'string' } }, HELP.send);
  const { text, options } = configOf(values, true);
  const file = positionals[0];
  const read = readOptions(values);
  const input = await readInput(file);
  const out = new LibratoOutput(text, { ...options, log: stderrLog });
  const r = await out.write(input, read);
  for (const e of r.errors) console.error(`${where(file)}:${e.line}:${e.column}: ${e.message}`);
  printReport(r);
  if (values.failed && r.failed.length) writeFileSync(values.failed, JSON.stringify(r.failed, null, 2));
  return r.ok && r.errors.length === 0 ? 0 : 1;
}

async function resendCommand(argv) {
  const { values, positionals } = args(argv, {}, HELP.resend);
  const { text, options } = configOf(values, true);
  if (positionals.length !== 1) throw new UsageError(`resend takes the FILE send --failed wrote\n\n${HELP.resend}`);
  let failed;
  try {
    failed = JSON.parse(readFileSync(positionals[0], 'utf8'));
  } catch (e) {
    throw new UsageError(`${positionals[0]}: not a --failed file (${e.message})`);
  }
  const r = await new LibratoOutput(text, { ...options, log: stderrLog }).resend(failed);
  printReport(r);
  return r.ok ? 0 : 1;
}

async function execdCommand(argv) {
  const { values } = args(argv, {
    spool: { type: 'string' }, 'buffer-limit': { type: 'string' }, 'flush-after': { type: 'string' },
    'shutdown-timeout': { type: 'string' }, 'retry-base': { type: 'string' }, 'retry-max': { type: 'string' },
    'summary-every': { type: 'string' },
  }, HELP.execd);
  const { text, options, config } = configOf(values, true);
  const num = (k, d) => {
    if (values[k] === undefined) return d;
    const n = Number(values[k]);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${k} must be a non-negative number`);
    return n;
  };
  const read = readOptions(values);
  const code = await execd({
    text, options, config,
    spool: values.spool,
    bufferLimit: num('buffer-limit', 10_000),
    flushAfter: num('flush-after', 200),
    shutdownTimeout: num('shutdown-timeout', 4000),
    retryBase: num('retry-base', 1),
    retryMax: num('retry-max', 60),
    summaryEvery: num('summary-every', 60_000),
    format: read.format,
    precision: read.precision,
  });
  // Retry timers and aborted requests may still be scheduled: the process ends here, within
  // the shutdown bound, whatever they would do.
  process.exit(code);
}

async function statsdCommand(argv) {
  const { values } = args(argv, {
    listen: { type: 'string', multiple: true }, 'flush-interval': { type: 'string' }, percentiles: { type: 'string' },
    'statsd-config': { type: 'string' }, spool: { type: 'string' }, 'buffer-limit': { type: 'string' },
    'shutdown-timeout': { type: 'string' }, 'retry-base': { type: 'string' }, 'retry-max': { type: 'string' },
    'summary-every': { type: 'string' },
  }, HELP.statsd);
  const num = (k, d) => {
    if (values[k] === undefined) return d;
    const n = Number(values[k]);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${k} must be a non-negative number`);
    return n;
  };
  const fromFile = values['statsd-config'] ? readStatsdConfig(values['statsd-config']) : null;
  if (!values.config && !fromFile) throw new UsageError(`--config CONFIG (or --statsd-config) is required\n\n${HELP.statsd}`);
  for (const w of fromFile?.warnings ?? []) console.error(`W! ${w}`);
  let text;
  let config;
  let options = { env: { ...process.env } };
  if (values.config) {
    ({ text, config, options } = configOf(values, true));
  } else {
    text = fromFile.config;
    config = fromFile.config;
  }
  const core = { ...(fromFile?.core ?? { tags: { host: os.hostname() } }) };
  if (values['flush-interval'] !== undefined) core.flushInterval = parseInterval(values['flush-interval'], '--flush-interval');
  core.flushInterval ??= 10_000;
  if (values.percentiles !== undefined) core.percentiles = parsePercentiles(values.percentiles);
  const listen = values.listen?.length ? values.listen.map(parseListen)
    : fromFile?.listen ?? [{ proto: 'udp', host: '127.0.0.1', port: 8125 }];
  const code = await statsd({
    text, options, config, core, listen,
    spool: values.spool,
    bufferLimit: num('buffer-limit', 10_000),
    shutdownTimeout: num('shutdown-timeout', 4000),
    retryBase: num('retry-base', 1),
    retryMax: num('retry-max', 60),
    summaryEvery: num('summary-every', 60_000),
  });
  process.exit(code);
}

const commands = { check, render: renderCommand, send: sendCommand, resend: resendCommand, execd: execdCommand, statsd: statsdCommand };

async function main(argv) {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP.main);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${HELP.main}`);
  return command(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    console.error(`librato-wasm: ${e.message}`);
    process.exitCode = 2;
  } else {
    console.error(`librato-wasm: ${e.code ? `[${e.code}] ` : ''}${e.message}`);
    process.exitCode = 1;
  }
}
