// Share links: config and metrics in the URL fragment (never sent to a server), compressed,
// with api_user / api_token lines removed: a link never carries credentials.

const CREDENTIAL_LINE = /^(\s*)(api_user|api_token)\s*=.*$/gm;

export function stripCredentials(configText) {
  return configText.replace(CREDENTIAL_LINE, '$1# $2 = "..."  (removed from the shared link)');
}

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

function toBase64Url(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export async function encodeState(state) {
  const json = JSON.stringify({ ...state, config: stripCredentials(state.config) });
  const packed = await pipe(new TextEncoder().encode(json), new CompressionStream('deflate-raw'));
  return `s=${toBase64Url(packed)}`;
}

export async function decodeState(hash) {
  const m = /(?:^#?|&)s=([A-Za-z0-9_-]+)/.exec(hash);
  if (!m) return null;
  const bytes = await pipe(fromBase64Url(m[1]), new DecompressionStream('deflate-raw'));
  return JSON.parse(new TextDecoder().decode(bytes));
}
