#!/usr/bin/env node
// A strict, local stand-in for the retired Librato metrics API (../shared/docs/librato-api.md):
// the legacy source-based `POST /v1/metrics` and the tagged `POST /v1/measurements`.
//
//   node dev/librato-api.mjs --port 8071 --user demo@example.com --token demo-token
//
// or, from tests:  const api = await startLibratoApi({ port: 0, user, token });
//
// It enforces the documented rules (Basic auth, JSON only, body shapes, names, sources,
// lengths, finite values, the exponent limit, integer times, the per-request limit, the
// reserved source "all"); one invalid measurement rejects the whole request with a 400 in
// Librato's error shapes. It records what it accepted (GET/DELETE /__received) and fails on
// purpose when told to (POST /__faults), so tests can prove nothing is lost.

import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { validateLegacy, validateTagged } from './librato-rules.mjs';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function startLibratoApi(options = {}) {
  const {
    host = '127.0.0.1',
    port = 0,
    user = 'demo@example.com',
    token = 'demo-token',
    maxPerRequest = 300,
    maxMeasurements = 1000,
    maxAgeSeconds = null,
    rateLimit = 100000,
    log = () => {},
  } = options;
  const basic = (u, p) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
  const expectedAuth = basic(user, token);
  // The tagged API also takes the token alone as the user with an empty password (AppOptics).
  const tokenAlone = basic(token, '');
  const state = { gauges: [], counters: [], measurements: [], requests: [], faults: [], random: null };
  let used = 0;
  let windowStart = Date.now();
  const sockets = new Set();

  function rateHeaders() {
    const now = Date.now();
    if (now - windowStart > 60_000) { windowStart = now; used = 0; }
    const reset = Math.ceil((windowStart + 60_000) / 1000);
    const remaining = Math.max(0, rateLimit - used);
    return {
      'X-Librato-RateLimit-Std': `limit=${rateLimit},remaining=${remaining},reset=${reset}`,
      'X-Librato-RateLimit-Agg': `limit=${rateLimit * 10},remaining=${rateLimit * 10 - used},reset=${reset}`,
    };
  }

  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Expose-Headers': 'Retry-After, X-Librato-RateLimit-Std, X-Librato-RateLimit-Agg',
    'Access-Control-Max-Age': '600',
  };

  function send(res, status, body, extra = {}) {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      ...cors,
      ...rateHeaders(),
      ...(text && typeof body !== 'string' ? { 'Content-Type': 'application/json' } : {}),
      ...extra,
    });
    res.end(text);
  }

  function nextFault() {
    if (state.faults.length > 0) {
      const f = state.faults[0];
      f.times = (f.times ?? 1) - 1;
      if (f.times <= 0) state.faults.shift();
      return f;
    }
    if (state.random && state.random.next() < state.random.rate) {
      const kinds = state.random.kinds;
      return kinds[Math.floor(state.random.next() * kinds.length)];
    }
    return null;
  }

  // Applies a fault. Returns true when the response was handled (not accepted).
  async function applyFault(fault, req, res, accept) {
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.drop) {
      req.socket.destroy();
      return true;
    }
    if (fault.status && !(fault.status >= 200 && fault.status < 300)) {
      const headers = fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
      const body = fault.body ?? errorBodyFor(fault.status);
      send(res, fault.status, body, headers);
      return true;
    }
    if (fault.status >= 200 && fault.status < 300 && fault.body !== undefined) {
      // A success status with a body of the test's choosing; `store: false` refuses the data
      // all the same (a 2xx whose body holds errors).
      if (res.destroyed) return true;
      if (fault.store !== false) accept();
      send(res, fault.status, typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body));
      return true;
    }
    if (res.destroyed) return true; // the client gave up while we were slow
    return false;
  }

  async function handleWrite(req, res, path) {
    const auth = req.headers.authorization;
    if (!auth) return send(res, 401, { errors: { request: ['Please provide credentials for authentication.'] } });
    const authorised = auth === expectedAuth || (path === '/v1/measurements' && auth === tokenAlone);
    if (!authorised) return send(res, 401, { errors: { request: ['Authorization failed: invalid user or token.'] } });
    const type = (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      return send(res, 415, { errors: { request: [`Content-Type must be application/json, got "${type || 'none'}"`] } });
    }
    const raw = await readBody(req, res);
    if (raw === null) return;
    used++;
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, 400, path === '/v1/measurements'
        ? { code: 400, message: 'Unable to process JSON' }
        : { errors: { request: ['The request body is not valid JSON.'] }, request_time: nowSeconds() });
    }
    const now = nowSeconds();
    const result = path === '/v1/metrics'
      ? validateLegacy(body, { maxPerRequest, maxAgeSeconds, now })
      : validateTagged(body, { maxMeasurements, now });
    if (result.error) return send(res, 400, { ...result.error, request_time: now });

    const accept = () => {
      const who = auth === tokenAlone ? '(token)' : user;
      state.requests.push({ path, count: result.count, user: who, at: Date.now() });
      state.gauges.push(...(result.gauges || []));
      state.counters.push(...(result.counters || []));
      state.measurements.push(...(result.measurements || []));
    };
    const fault = nextFault();
    if (fault && (await applyFault(fault, req, res, accept))) return;
    accept();
    log(`accepted ${result.count} on ${path}`);
    if (path === '/v1/metrics') return send(res, 200);
    return send(res, 202, { measurements: { summary: { total: result.count, accepted: result.count, failed: 0, filtered: 0 } } });
  }

  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    try {
      if (req.method === 'OPTIONS') return send(res, 204);
      if (path === '/__received' && req.method === 'GET') {
        return send(res, 200, { gauges: state.gauges, counters: state.counters, measurements: state.measurements, requests: state.requests });
      }
      if (path === '/__received' && req.method === 'DELETE') {
        state.gauges = []; state.counters = []; state.measurements = []; state.requests = [];
        return send(res, 204);
      }
      if (path === '/__faults' && req.method === 'POST') {
        const raw = await readBody(req, res);
        if (raw === null) return;
        const spec = JSON.parse(raw || '[]');
        setFaults(spec);
        return send(res, 204);
      }
      if (path === '/v1/metrics' || path === '/v1/measurements') {
        if (req.method !== 'POST') return send(res, 405, { errors: { request: [`${req.method} is not allowed on ${path}`] } }, { Allow: 'POST' });
        return await handleWrite(req, res, path);
      }
      return send(res, 404, { errors: { request: [`no such endpoint: ${req.method} ${path}`] } });
    } catch (err) {
      if (!res.headersSent) send(res, 500, { errors: { system: [String(err && err.message || err)] } });
    }
  });

  function setFaults(spec) {
    // Either a list of faults applied to the next requests, or { random: { rate, kinds, seed? } }
    // (with a seed, the same sequence of faults every run).
    if (Array.isArray(spec)) {
      state.faults = spec.map((f) => ({ ...f }));
    } else {
      state.faults = Array.isArray(spec.faults) ? spec.faults.map((f) => ({ ...f })) : [];
      state.random = spec.random ? { ...spec.random, next: randomSource(spec.random.seed) } : null;
    }
  }

  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  const base = `http://${host}:${actualPort}`;

  async function readBody(req, res) {
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        send(res, 413, { errors: { request: [`request body larger than ${MAX_BODY_BYTES} bytes`] } });
        return null;
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  return {
    url: `${base}/v1/metrics`,
    measurementsUrl: `${base}/v1/measurements`,
    base,
    port: actualPort,
    received: () => ({ gauges: [...state.gauges], counters: [...state.counters], measurements: [...state.measurements], requests: [...state.requests] }),
    clear: () => { state.gauges = []; state.counters = []; state.measurements = []; state.requests = []; },
    setFaults,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

function errorBodyFor(status) {
  switch (status) {
    case 401: return { errors: { request: ['Authorization failed: invalid user or token.'] } };
    case 403: return { errors: { request: ['Forbidden.'] } };
    case 429: return { error: 'You have hit the API limit for measurements [measure:raw_rate]. Some data may have been permitted.' };
    case 503: return { errors: { system: ['The API is temporarily unavailable for maintenance.'] } };
    default: return status >= 500 ? { errors: { system: [`Internal error (${status}).`] } } : { errors: { request: [`Error ${status}.`] } };
  }
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const [k, inline] = a.slice(2).split('=', 2);
    out[k] = inline ?? argv[++i];
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = parseArgs(process.argv.slice(2));
  const api = await startLibratoApi({
    host: args.host ?? '127.0.0.1',
    port: Number(args.port ?? process.env.LIBRATO_API_PORT ?? 8071),
    user: args.user ?? 'demo@example.com',
    token: args.token ?? 'demo-token',
    maxPerRequest: Number(args['max-per-request'] ?? 300),
    maxAgeSeconds: args['max-age'] ? Number(args['max-age']) : null,
    log: (m) => console.log(`[librato-api] ${m}`),
  });
  console.log(`Local Librato API listening on ${api.url} and ${api.measurementsUrl}`);
  const stop = async () => { await api.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Math.random, or with a numeric seed a small deterministic generator (mulberry32). */
function randomSource(seed) {
  if (typeof seed !== 'number') return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
