// Share links: config and metrics in the URL fragment (never sent to a server), compressed.
// Credentials are removed by the package's own TOML reader (redactConfig), whatever their
// spelling; a config that does not parse is left out of the link entirely rather than guessed at.
// (`redactConfig` is passed in: the page gives the browser entry's, Node tests the node entry's.)

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

/** The fragment for `state`, and whether its config had to be left out. */
export async function encodeState(state, redactConfig) {
  let config;
  try {
    config = redactConfig(state.config);
  } catch {
    config = undefined;
  }
  const json = JSON.stringify({ ...state, config, configOmitted: config === undefined });
  const packed = await pipe(new TextEncoder().encode(json), new CompressionStream('deflate-raw'));
  return { fragment: `s=${toBase64Url(packed)}`, configOmitted: config === undefined };
}

export async function decodeState(hash) {
  const m = /(?:^#?|&)s=([A-Za-z0-9_-]+)/.exec(hash);
  if (!m) return null;
  const bytes = await pipe(fromBase64Url(m[1]), new DecompressionStream('deflate-raw'));
  return JSON.parse(new TextDecoder().decode(bytes));
}
