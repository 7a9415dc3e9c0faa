// A Cloudflare Worker that accepts what Telegraf and InfluxDB clients send (InfluxDB v1 and v2
// write APIs, and Telegraf's outputs.http) and relays it to Librato through librato-wasm.
//
// Config (Workers vars and secrets): LIBRATO_CONFIG (an [[outputs.librato]] table, with ${VAR}
// and @{env:NAME} resolved from env; `api = "measurements"` relays each metric's tags to the
// tagged API) or LIBRATO_API / LIBRATO_API_USER / LIBRATO_API_TOKEN / LIBRATO_API_URL /
// LIBRATO_TEMPLATE; WRITE_TOKEN (required); MAX_BODY_BYTES, MAX_DECOMPRESSED_BYTES,
// MAX_SUBREQUESTS, RETRY_AFTER_SECONDS. With a queue producer binding LIBRATO_QUEUE the relay
// is durable (queue.mjs): MAX_MESSAGES_PER_WRITE, QUEUE_MAX_REQUESTS, QUEUE_RETRY_BASE_SECONDS,
// QUEUE_RETRY_MAX_SECONDS, QUEUE_FIX_DELAY_SECONDS, and LIBRATO_DEAD_LETTER for refused writes.
import { LibratoOutput, loadConfig } from 'librato-wasm';
import { readBody, BodyTooLarge } from './body.mjs';
import { authorize } from './auth.mjs';
import { VERSION, errorResponse, jsonResponse, noContent } from './responses.mjs';
import { enqueueWrite, consume } from './queue.mjs';

const outputs = new WeakMap();
/** The most a /query body may be (a form with one short statement). */
const MAX_QUERY_BYTES = 64 * 1024;

export default {
  async fetch(request, env) {
    const started = Date.now();
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    try {
      switch (route) {
        case 'GET /ping':
        case 'HEAD /ping':
          return noContent();
        case 'GET /health':
          return health(env);
        case 'POST /query':
        case 'GET /query':
          return await query(request, url, env);
        // No precision given: the package's default for the format (ns for line protocol,
        // s for Telegraf JSON), defined once, in Rust.
        case 'POST /api/v2/write':
          return await write(request, env, { url, started, api: 'v2', format: 'influx', precision: precisionOf(url) });
        case 'POST /write':
          return await write(request, env, { url, started, api: 'v1', format: 'influx', precision: precisionOf(url) });
        case 'POST /telegraf': {
          const json = (request.headers.get('content-type') || '').includes('json');
          return await write(request, env, { url, started, api: 'http', format: json ? 'json' : 'influx', precision: precisionOf(url) });
        }
        default:
          return errorResponse(404, 'not found', `no route for ${route}`, 'v2');
      }
    } catch (err) {
      logLine({ route, outcome: 'exception', status: 500, message: String(err && err.message), ms: Date.now() - started });
      return errorResponse(500, 'internal error', 'the worker failed unexpectedly; see its logs', 'v2');
    }
  },

  /** The durable relay's consumer (the queue named in wrangler.toml's [[queues.consumers]]). */
  async queue(batch, env) {
    let output;
    try {
      ({ output } = outputFor(env));
    } catch (e) {
      // A bad config: keep every message until it is fixed.
      logLine({ level: 'error', mode: 'consumer', message: `the relay's Librato config is invalid: ${e.message}` });
      for (const m of batch.messages) m.retry({ delaySeconds: 300 });
      return;
    }
    await consume(batch, env, output, logLine);
  },
};

function precisionOf(url) {
  return url.searchParams.get('precision') || undefined;
}

/** InfluxDB v2's write API takes these only; n, u, m and h are v1's. */
const V2_PRECISIONS = ['ns', 'us', 'ms', 's'];

function logLine(fields) {
  console.log(JSON.stringify({ msg: 'librato-wasm worker', ...fields }));
}

function int(env, name, fallback) {
  const v = Number(env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Env values that are strings: for ${VAR} and @{env:NAME} references. */
function stringEnv(env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (typeof v === 'string') {
      out[k] = v;
      out[`env:${k}`] = v;
    }
  }
  return out;
}

/** One LibratoOutput per env (per isolate), built on first use, with the batch size its
 * config sets (for the 413 hint). Throws on a bad config. */
function outputFor(env) {
  let out = outputs.get(env);
  if (!out) {
    const strings = stringEnv(env);
    const config = env.LIBRATO_CONFIG
      ? env.LIBRATO_CONFIG
      : {
          ...(env.LIBRATO_API ? { api: env.LIBRATO_API } : {}),
          api_user: env.LIBRATO_API_USER ?? '',
          api_token: env.LIBRATO_API_TOKEN ?? '',
          ...(env.LIBRATO_API_URL ? { api_url: env.LIBRATO_API_URL } : {}),
          ...(env.LIBRATO_TEMPLATE !== undefined ? { template: env.LIBRATO_TEMPLATE } : {}),
        };
    const output = new LibratoOutput(config, {
      env: strings,
      secrets: strings,
      log: (level, message) => { if (level === 'warn' || level === 'error') logLine({ level, message }); },
    });
    const loaded = typeof config === 'string' ? loadConfig(config, { env: strings, secrets: strings })[0] : config;
    const batchSize = loaded?.batch_size ?? 300;
    // What the write's items are called in answers and logs.
    const noun = loaded?.api === 'measurements' ? 'measurements' : 'gauges';
    out = { output, batchSize, noun, api: loaded?.api ?? 'metrics' };
    outputs.set(env, out);
  }
  return out;
}

function health(env) {
  const problems = [];
  if (!env.WRITE_TOKEN) problems.push('WRITE_TOKEN is not set');
  try { outputFor(env); } catch (e) { problems.push(`config: ${e.message}`); }
  const durable = Boolean(env.LIBRATO_QUEUE);
  const body = {
    name: 'librato-wasm-worker',
    mode: durable ? 'durable' : 'synchronous',
    message: problems.length ? problems.join('; ') : `ready for writes (${durable ? 'durable: answered once enqueued on Cloudflare Queues' : 'synchronous: answered once Librato acknowledged'})`,
    status: problems.length ? 'fail' : 'pass',
    version: VERSION,
    checks: [],
  };
  return jsonResponse(problems.length ? 503 : 200, body);
}

/** Enough of InfluxDB v1's /query for Telegraf's `CREATE DATABASE` at start-up. The token is
 * checked before the body is read, and the body read only up to MAX_QUERY_BYTES. */
async function query(request, url, env) {
  const denied = await authorize(request, url, env, 'v1');
  if (denied) return denied;
  let q = url.searchParams.get('q');
  if (!q && request.method === 'POST') {
    let body;
    try {
      body = await readBody(request, { maxBody: MAX_QUERY_BYTES, maxDecompressed: MAX_QUERY_BYTES });
    } catch (e) {
      if (e instanceof BodyTooLarge) return errorResponse(413, 'request too large', e.message, 'v1');
      return errorResponse(400, 'invalid', `could not read the request body: ${e.message}`, 'v1');
    }
    q = new URLSearchParams(new TextDecoder().decode(body.data)).get('q');
  }
  if (q && /^\s*CREATE\s+DATABASE\b/i.test(q)) {
    return jsonResponse(200, { results: [{ statement_id: 0 }] });
  }
  return errorResponse(400, 'invalid', 'this relay only answers CREATE DATABASE queries', 'v1');
}

async function write(request, env, ctx) {
  const { api, started } = ctx;
  const denied = await authorize(request, ctx.url, env, api);
  if (denied) {
    logLine({ api, outcome: 'unauthorized', status: denied.status, ms: Date.now() - started });
    return denied;
  }
  if (api === 'v2' && ctx.precision !== undefined && !V2_PRECISIONS.includes(ctx.precision)) {
    const message = `invalid precision "${ctx.precision}": the v2 write API takes ${V2_PRECISIONS.join(', ')} (n, u, m and h are InfluxDB v1's, at /write)`;
    logLine({ api, outcome: 'invalid_options', status: 400, message, ms: Date.now() - started });
    return errorResponse(400, 'invalid', message, api);
  }
  let output;
  let batchSize;
  let noun;
  try {
    ({ output, batchSize, noun } = outputFor(env));
  } catch (e) {
    logLine({ api, outcome: 'bad config', status: 500, message: e.message });
    return errorResponse(500, 'internal error', `the relay's Librato config is invalid: ${e.message}`, api);
  }

  let body;
  try {
    body = await readBody(request, {
      maxBody: int(env, 'MAX_BODY_BYTES', 10_000_000),
      maxDecompressed: int(env, 'MAX_DECOMPRESSED_BYTES', 32_000_000),
    });
  } catch (e) {
    if (e instanceof BodyTooLarge) {
      logLine({ api, outcome: 'too large', status: 413, message: e.message, ms: Date.now() - started });
      return errorResponse(413, 'request too large', e.message, api);
    }
    logLine({ api, outcome: 'bad body', status: 400, message: e.message });
    return errorResponse(400, 'invalid', `could not read the request body: ${e.message}`, api);
  }

  if (env.LIBRATO_QUEUE) {
    try {
      return await enqueueWrite(env, output, body.data, { api, format: ctx.format, precision: ctx.precision, noun }, (f) => logLine({ ...f, bytes: body.bytes, ms: Date.now() - started }));
    } catch (e) {
      const status = e.code === 'invalid_options' ? 400 : 500;
      logLine({ api, outcome: e.code, status, message: e.message, bytes: body.bytes, ms: Date.now() - started });
      return errorResponse(status, status === 400 ? 'invalid' : 'internal error', e.message, api);
    }
  }

  const maxRequests = int(env, 'MAX_SUBREQUESTS', 45);
  let report;
  try {
    report = await output.write(body.data, { format: ctx.format, precision: ctx.precision, maxRequests });
  } catch (e) {
    const status = e.code === 'too_many_requests' ? 413 : e.code === 'invalid_options' ? 400 : 500;
    const message = e.code === 'too_many_requests'
      ? `${e.message} (MAX_SUBREQUESTS): lower metric_batch_size in Telegraf so that one write makes at most ${maxRequests * batchSize} ${noun}`
      : e.message;
    logLine({ api, outcome: e.code, status, message, bytes: body.bytes, ms: Date.now() - started });
    return errorResponse(status, status === 413 ? 'request too large' : status === 400 ? 'invalid' : 'internal error', message, api);
  }

  const failedGauges = report.failed.reduce((n, f) => n + f.count, 0);
  const summary = {
    api,
    bytes: body.bytes,
    decompressed: body.decompressed,
    gauges: report.sent + failedGauges,
    sent: report.sent,
    failed: failedGauges,
    skipped: report.skipped.length,
    errors: report.errors.length,
    requests: report.requests,
    attempts: report.attempts,
  };
  let response;
  if (report.failed.length > 0) {
    // Whether resending can help is the package's decision (FailedRequest.disposition), the
    // same one the queue consumer acts on.
    const refused = report.failed.filter((f) => f.disposition === 'refused');
    if (refused.length === report.failed.length) {
      // Librato refused the data itself (400, 413, 422, a 2xx naming errors): resending the
      // same write cannot help, so the client must not.
      response = errorResponse(400, 'invalid', `Librato rejected ${failedGauges} ${noun}: ${report.failed[0].message}`, api);
    } else {
      const retryAfter = String(int(env, 'RETRY_AFTER_SECONDS', 10));
      response = errorResponse(503, 'unavailable',
        `delivery to Librato failed for ${failedGauges} of ${summary.gauges} ${noun} (${report.failed[0].message}); retry the write`,
        api, { 'Retry-After': retryAfter });
    }
  } else if (report.errors.length > 0) {
    const lines = report.errors.slice(0, 5).map((e) => `line ${e.line}:${e.column}: ${e.message}`).join('; ');
    const more = report.errors.length > 5 ? ` (and ${report.errors.length - 5} more)` : '';
    response = errorResponse(400, 'invalid', `partial write: ${report.errors.length} line(s) could not be parsed and were dropped, the rest was delivered: ${lines}${more}`, api);
  } else {
    response = noContent();
  }
  logLine({ ...summary, outcome: response.status === 204 ? 'ok' : 'partial or failed', status: response.status, ms: Date.now() - started });
  return response;
}
