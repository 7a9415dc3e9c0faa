// Write authorization: the worker never runs open. Tokens are compared in constant time
// (SHA-256 of both, then a full XOR over the digests).
import { errorResponse } from './responses.mjs';

function unauthorized(api, message) {
  return errorResponse(401, 'unauthorized', message, api);
}

/** The token a client presented, in any of the InfluxDB ways. */
export function presentedToken(request, url, api) {
  const header = request.headers.get('authorization') || '';
  const [scheme, ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  if (/^(token|bearer)$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme) && api !== 'v2') {
    try {
      const decoded = atob(value);
      return decoded.slice(decoded.indexOf(':') + 1);
    } catch {
      return null;
    }
  }
  if (api === 'v1' && url.searchParams.has('p')) return url.searchParams.get('p');
  return null;
}

async function sameSecret(a, b) {
  const enc = new TextEncoder();
  const [x, y] = await Promise.all([
    crypto.subtle.digest('SHA-256', enc.encode(a)),
    crypto.subtle.digest('SHA-256', enc.encode(b)),
  ]);
  const da = new Uint8Array(x);
  const db = new Uint8Array(y);
  let diff = 0;
  for (let i = 0; i < da.length; i++) diff |= da[i] ^ db[i];
  return diff === 0;
}

/** Returns a Response refusing the request, or null when it may proceed. */
export async function authorize(request, url, env, api) {
  if (!env.WRITE_TOKEN) {
    const message = 'WRITE_TOKEN is not set: this relay refuses every write until it is (wrangler secret put WRITE_TOKEN)';
    return errorResponse(500, 'internal error', message, api);
  }
  const token = presentedToken(request, url, api);
  if (token === null || token === '') {
    return unauthorized(api, api === 'v2'
      ? 'missing token: send "Authorization: Token <WRITE_TOKEN>"'
      : 'missing token: send "Authorization: Token <WRITE_TOKEN>", Basic auth, or the p query parameter');
  }
  if (!(await sameSecret(token, env.WRITE_TOKEN))) return unauthorized(api, 'invalid token');
  return null;
}
