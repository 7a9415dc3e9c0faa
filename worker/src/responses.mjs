// Every response the worker builds, in InfluxDB's shapes and with its headers, made here only.

export const VERSION = 'librato-wasm-worker/0.1.0';

export function influxHeaders() {
  return { 'X-Influxdb-Version': VERSION, 'X-Influxdb-Build': 'OSS' };
}

/** InfluxDB-shaped error; v1 clients (Telegraf's outputs.influxdb) read the `error` key. */
export function errorResponse(status, code, message, api, extra = {}) {
  const body = { code, message };
  if (api === 'v1') body.error = message;
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...influxHeaders(), ...extra },
  });
}

/** A JSON body with the InfluxDB headers. */
export function jsonResponse(status, body) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...influxHeaders() },
  });
}

/** 204, as InfluxDB acknowledges a write or a ping. */
export function noContent() {
  return new Response(null, { status: 204, headers: influxHeaders() });
}
