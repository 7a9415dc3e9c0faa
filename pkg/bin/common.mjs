// What every command shares: reading the config (a whole telegraf.conf or a bare table) with
// ${VAR} from the environment and @{store:key} references from environment variables, input
// from a file or stdin, and the compiler-style `FILE:LINE:COLUMN: message` lines.
import { readFileSync } from 'node:fs';
import { loadConfig, render } from './wasm.mjs';

/**
 * `@{store:key}` resolves from the environment variable LIBRATO_SECRET_<STORE>_<KEY>, upper
 * case, with every character outside A-Z and 0-9 made `_` (`@{vault:librato_token}` →
 * `LIBRATO_SECRET_VAULT_LIBRATO_TOKEN`).
 */
export function secretEnvName(ref) {
  return `LIBRATO_SECRET_${ref.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The secrets a config text refers to, from the environment (those that are set). */
export function secretsFor(text, env = process.env) {
  const secrets = {};
  // Telegraf's grammar: @{word:word}, word characters only.
  for (const m of text.matchAll(/@\{(\w+:\w+)\}/g)) {
    const v = env[secretEnvName(m[1])];
    if (v !== undefined) secrets[m[1]] = v;
  }
  return secrets;
}

export class UsageError extends Error {}

/** A config error as `FILE:LINE:COLUMN: message` (its place once, in front). */
export function configProblem(file, e) {
  const message = String(e.message).replace(/^line \d+, column \d+: /, '');
  return e.line ? `${file}:${e.line}:${e.column ?? 1}: ${message}` : `${file}: ${message}`;
}

/** Reads and checks a config file: `{ text, config, configs, options }`, or throws. */
export function readConfig(file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the config: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  const options = { env: { ...process.env }, secrets: secretsFor(text) };
  const configs = loadConfig(text, options);
  return { text, configs, config: configs[0], options };
}

/** The input of a command: a file's bytes, or all of stdin for `-` (or none given). */
export async function readInput(file) {
  if (file && file !== '-') return new Uint8Array(readFileSync(file));
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Checks --format and --precision before anything is read (the package decides what they
 * may be): a bad one is a usage error at start-up, never a failure mid-stream.
 */
export function checkReadOptions(options) {
  try {
    render('', {}, options);
  } catch (e) {
    if (e.code === 'invalid_options') throw new UsageError(String(e.message).replace(/^options\./, '--'));
    throw e;
  }
  return options;
}
