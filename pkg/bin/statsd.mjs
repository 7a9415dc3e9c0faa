// `librato-wasm statsd`: one process in place of statsd 0.9.0 + statsd-librato-backend
// 2.0.16. Packets arrive over UDP (a datagram each) and TCP (complete lines); the package's
// StatsdCore (Rust: statsd's grammar, the backend's names, percentiles) holds them as statsd
// does and makes each flush's queue messages, which the sender (sender.mjs, shared with execd)
// delivers with the config's retries, --buffer-limit and --spool. This file only moves bytes,
// runs the timers and reads a statsd config file.
import dgram from 'node:dgram';
import net from 'node:net';
import http from 'node:http';
import os from 'node:os';
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { StatsdCore, call, generation } from './wasm.mjs';
import { sender, say } from './sender.mjs';
import { UsageError } from './common.mjs';

/** The most a TCP connection may buffer without a line break (statsd has no limit). */
const MAX_TCP_BUFFER = 1 << 20;

/**
 * The UDP receive buffer asked for. The kernel's default (rmem_default, ~208 KB) holds ~15 ms
 * of packets at 300,000 lines/s, so a flush or a GC pause drops datagrams; statsd keeps the
 * default. Linux caps the request at net.core.rmem_max, which is said at start when smaller.
 */
const UDP_RECEIVE_BUFFER = 4 << 20;

/** `udp://HOST:PORT` or `tcp://HOST:PORT` (IPv6 hosts in brackets). */
export function parseListen(text) {
  const m = /^(udp|tcp):\/\/(\[[^\]]+\]|[^:/]*):(\d{1,5})$/.exec(text);
  if (!m || Number(m[3]) > 65535) throw new UsageError(`--listen ${text}: expected udp://HOST:PORT or tcp://HOST:PORT`);
  return { proto: m[1], host: m[2].replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(m[3]) };
}

/** `10s`, `500ms`, `1m`, `1h`, or milliseconds. */
export function parseInterval(text, what) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text).trim());
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] : NaN;
  if (!(ms >= 1)) throw new UsageError(`${what} ${text}: expected a duration such as 10s or 500ms`);
  return ms;
}

export function parsePercentiles(text) {
  const list = String(text).split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (list.length === 0 || list.some((p) => !(p > 0 && p < 100))) {
    throw new UsageError(`--percentiles ${text}: expected numbers between 0 and 100, e.g. 90,99`);
  }
  return list;
}

// The statsd config keys honoured, and those that mean nothing here (said once, not ignored).
const STATSD_KEYS = new Set(['port', 'address', 'address_ipv6', 'server', 'servers', 'flushInterval', 'percentThreshold',
  'deleteIdleStats', 'deleteCounters', 'deleteTimers', 'deleteSets', 'deleteGauges', 'gaugesMaxTTL', 'keyNameSanitize',
  'prefixStats', 'backends', 'librato', 'debug']);
const LIBRATO_KEYS = new Set(['email', 'token', 'source', 'api', 'host', 'tags', 'snapTime', 'countersAsGauges',
  'skipInternalMetrics', 'batchSize', 'globalPrefix', 'alwaysSuffixPercentile', 'writeToLegacy', 'postTimeoutSecs']);

/**
 * A statsd config file (a JavaScript object literal, evaluated as statsd evaluates it) as
 * { config (an [[outputs.librato]] object), core (StatsdCore options), listen, warnings }.
 */
export function readStatsdConfig(file) {
  let text;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new UsageError(`${file}: cannot read the statsd config: ${e.code ?? e.message}`); }
  let c;
  try {
    c = vm.runInNewContext(`(${text}\n)`, Object.create(null), { filename: file, timeout: 1000 });
  } catch (e) {
    throw new UsageError(`${file}: not a statsd config (a JavaScript object): ${String(e.message).split('\n')[0]}`);
  }
  if (!c || typeof c !== 'object') throw new UsageError(`${file}: not a statsd config (a JavaScript object)`);
  const warnings = [];
  for (const k of Object.keys(c)) if (!STATSD_KEYS.has(k)) warnings.push(`${file}: ${k} is not honoured by librato-wasm statsd`);
  if (Array.isArray(c.backends) && !c.backends.some((b) => /statsd-librato-backend/.test(String(b)))) {
    warnings.push(`${file}: backends has no statsd-librato-backend: posting to Librato as that backend would`);
  }
  const l = c.librato ?? {};
  for (const k of Object.keys(l)) if (!LIBRATO_KEYS.has(k)) warnings.push(`${file}: librato.${k} is not honoured by librato-wasm statsd`);
  const legacy = Boolean(l.writeToLegacy);
  if (legacy) warnings.push(`${file}: librato.writeToLegacy: only the legacy API (/v1/metrics) is posted to, not both`);
  if (l.countersAsGauges === false && legacy) warnings.push(`${file}: librato.countersAsGauges = false is sent as gauges of the running total on the legacy API`);
  // The backend's batchSize (default 500) within what each API takes in one request (the
  // config reader refuses more: librato-core's MAX_BATCH and MAX_MEASUREMENTS_BATCH).
  const maxBatch = legacy ? 300 : 1000;
  const batch = Math.min(Number(l.batchSize ?? 500), maxBatch);
  if (l.batchSize > maxBatch) warnings.push(`${file}: librato.batchSize ${l.batchSize} is sent as ${maxBatch}, the most the ${legacy ? 'legacy' : 'tagged'} API takes in one request`);
  const servers = Array.isArray(c.servers) ? c.servers : [c];
  const listen = servers.map((s) => ({
    proto: /tcp/.test(String(s.server ?? '')) ? 'tcp' : 'udp',
    host: s.address ?? (s.address_ipv6 ? '::' : '0.0.0.0'),
    port: Number(s.port ?? 8125),
  }));
  const config = {
    api: legacy ? 'metrics' : 'measurements',
    api_user: l.email ?? '',
    api_token: l.token ?? '',
    batch_size: batch,
    ...(l.api ? { api_url: `${String(l.api).replace(/\/+$/, '')}/v1/${legacy ? 'metrics' : 'measurements'}` } : {}),
    ...(l.postTimeoutSecs ? { timeout: `${l.postTimeoutSecs}s` } : {}),
  };
  if (!l.api) warnings.push(`${file}: librato.api is not set: the hosted service is retired, so the config's default URL is used`);
  const pct = c.percentThreshold ?? 90; // statsd's default
  const core = {
    flushInterval: Number(c.flushInterval ?? 10_000),
    percentiles: (Array.isArray(pct) ? pct : [pct]).map(Number).filter((p) => p > 0 && p < 100),
    deleteIdleStats: c.deleteIdleStats ?? false,
    globalPrefix: l.globalPrefix ?? '',
    ...(l.source != null ? { source: String(l.source) } : {}),
    tags: hostTags(l),
  };
  for (const p of (Array.isArray(pct) ? pct : [pct])) if (!(p > 0 && p < 100)) warnings.push(`${file}: percentThreshold ${p} is not sent (the backend sends no series for it)`);
  for (const k of ['deleteCounters', 'deleteTimers', 'deleteSets', 'deleteGauges', 'gaugesMaxTTL', 'keyNameSanitize', 'prefixStats']) {
    if (c[k] !== undefined) core[k] = c[k];
  }
  for (const k of ['countersAsGauges', 'skipInternalMetrics', 'alwaysSuffixPercentile', 'snapTime']) if (l[k] !== undefined) core[k] = l[k];
  return { config, core, listen, warnings };
}

/** The backend's top-level tags: its `tags`, and `host` (the hostname unless set false/''). */
function hostTags(l = {}) {
  const tags = {};
  for (const [k, v] of Object.entries(l.tags ?? {})) tags[k] = String(v);
  const host = l.host == null ? os.hostname() : l.host;
  if (host) tags.host = String(host);
  return tags;
}

export function statsd(opts) {
  const { add, stop: finish } = sender(opts);
  let made;
  let core;
  const make = () => {
    made = generation();
    core = new StatsdCore(opts.config, { ...opts.core, env: opts.options?.env, secrets: opts.options?.secrets });
  };
  try {
    make();
  } catch (e) {
    throw new UsageError(e.message);
  }
  // A panic (here or in the sender's calls) resets the module's instance, and the core made in
  // the old one is gone with it: made again before its next use (what it held since the last
  // flush is lost, and said), so the next packets count.
  const current = () => {
    if (made !== generation()) {
      say('E!', 'the module was reset after an internal error: the statsd state since the last flush is lost');
      make();
    }
    return core;
  };
  // Node loads and compiles its fetch (undici, its HTTP client and parser) on first use: done
  // now, against a throwaway server of its own, not after the first flush, where the ~25 ms
  // stall drops packets when the receive buffer is small.
  if (!opts.options?.fetch) {
    const srv = http.createServer((q, r) => r.end());
    srv.listen(0, '127.0.0.1', () => globalThis.fetch(`http://127.0.0.1:${srv.address().port}/`).then((r) => r.arrayBuffer()).catch(() => {}).finally(() => srv.close()));
  }
  const servers = [];
  const sockets = new Set();
  // Under the package's guard: a panic becomes an Error (and a reset), never a dead process.
  const ingest = (buf) => { try { call(() => current().ingest(buf)); } catch (e) { say('E!', `a packet could not be read: ${e.message}`); } };

  function flush() {
    let r;
    try {
      r = call(() => current().flush(Date.now()));
    } catch (e) {
      // Never thrown out of the timer: the process goes on, and the next flush tries again.
      say('E!', `a flush failed: ${e.message}`);
      return;
    }
    for (const m of r.messages) add(m);
    if (r.bad > 0) {
      const e = r.example;
      say('W!', `${r.bad} bad line(s) since the last flush, e.g. line ${e.line} of a packet: ${JSON.stringify(e.text)}: ${e.why}`);
    }
    for (const s of r.skipped) say('W!', `${s.metric}: ${s.reason}: ${s.message}`);
  }

  return new Promise((resolve, reject) => {
    let started = 0;
    const ready = () => { if (++started === opts.listen.length) say('I!', `listening on ${opts.listen.map((l) => `${l.proto}://${l.host}:${l.port}`).join(', ')}; flushing every ${opts.core.flushInterval} ms`); };
    for (const l of opts.listen) {
      if (l.proto === 'udp') {
        const s = dgram.createSocket({ type: l.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: UDP_RECEIVE_BUFFER });
        s.on('message', ingest);
        s.on('error', (e) => reject(new UsageError(`udp://${l.host}:${l.port}: ${e.message}`)));
        s.bind(l.port, l.host, () => {
          // Linux reports twice what it grants (the kernel's bookkeeping share).
          const got = s.getRecvBufferSize() / (process.platform === 'linux' ? 2 : 1);
          if (got < UDP_RECEIVE_BUFFER) say('I!', `udp://${l.host}:${l.port}: receive buffer ${Math.round(got / 1024)} KB of the ${UDP_RECEIVE_BUFFER >> 10} KB asked (raise net.core.rmem_max for bursts)`);
          ready();
        });
        servers.push(s);
      } else {
        const s = net.createServer((conn) => {
          sockets.add(conn);
          let buffer = Buffer.alloc(0);
          conn.on('data', (d) => {
            buffer = buffer.length ? Buffer.concat([buffer, d]) : d;
            const end = buffer.lastIndexOf(0x0a);
            if (end >= 0) {
              ingest(buffer.subarray(0, end + 1));
              buffer = Buffer.from(buffer.subarray(end + 1));
            } else if (buffer.length > MAX_TCP_BUFFER) {
              say('W!', `a TCP client sent ${buffer.length} bytes without a line break: dropped`);
              buffer = Buffer.alloc(0);
            }
          });
          // A last line without its break counts when the client closes (statsd loses it).
          conn.on('end', () => { if (buffer.length) ingest(buffer); buffer = Buffer.alloc(0); });
          conn.on('close', () => sockets.delete(conn));
          conn.on('error', () => {});
        });
        s.on('error', (e) => reject(new UsageError(`tcp://${l.host}:${l.port}: ${e.message}`)));
        s.listen(l.port, l.host, ready);
        servers.push(s);
      }
    }
    // Flushes at start + k intervals, as statsd schedules them.
    const startedAt = Date.now();
    let timer = null;
    const schedule = () => {
      const every = opts.core.flushInterval;
      const k = Math.round((Date.now() - startedAt) / every) + 1;
      timer = setTimeout(() => { flush(); schedule(); }, startedAt + k * every - Date.now());
    };
    schedule();

    let stopping = false;
    function stop(why) {
      if (!stopping) {
        stopping = true;
        clearTimeout(timer);
        for (const s of servers) { try { s.close(); } catch { /* already closed */ } }
        for (const c of sockets) c.destroy();
        flush();
      }
      finish(why).then(resolve);
    }
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
