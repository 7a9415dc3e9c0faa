// Reads a request body (as bytes) with limits on the raw size and, for gzip, on the decompressed size, so
// an oversized body or a gzip bomb gets 413 instead of exhausting the isolate's memory.

export class BodyTooLarge extends Error {}

/** A pass-through stream that fails once more than `max` bytes went through. */
function limit(max, what) {
  let seen = 0;
  const stream = new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) controller.error(new BodyTooLarge(`${what} is larger than ${max} bytes`));
      else controller.enqueue(chunk);
    },
  });
  return { stream, count: () => seen };
}

export async function readBody(request, { maxBody, maxDecompressed }) {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBody) {
    throw new BodyTooLarge(`request body of ${declared} bytes is larger than MAX_BODY_BYTES (${maxBody})`);
  }
  if (!request.body) return { data: new Uint8Array(0), bytes: 0, decompressed: 0 };
  const encoding = (request.headers.get('content-encoding') || 'identity').toLowerCase().trim();
  if (encoding === 'identity' && Number.isFinite(declared) && request.headers.has('content-length')) {
    // A plain body of a declared, allowed size: read it natively, without a JS stream pipeline.
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > maxBody) throw new BodyTooLarge(`request body (MAX_BODY_BYTES) is larger than ${maxBody} bytes`);
    // The bytes go to the package as they are: invalid UTF-8 is that line's error there,
    // where a TextDecoder would have replaced it silently (and mangled names were sent).
    return { data: bytes, bytes: bytes.byteLength, decompressed: null };
  }
  const raw = limit(maxBody, 'request body (MAX_BODY_BYTES)');
  let stream = request.body.pipeThrough(raw.stream);
  let inflated = null;
  if (encoding === 'gzip') {
    inflated = limit(maxDecompressed, 'decompressed request body (MAX_DECOMPRESSED_BYTES)');
    stream = stream.pipeThrough(new DecompressionStream('gzip')).pipeThrough(inflated.stream);
  } else if (encoding !== 'identity') {
    throw new Error(`unsupported Content-Encoding "${encoding}" (use gzip or none)`);
  }
  const chunks = [];
  let size = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch (e) {
    if (e instanceof BodyTooLarge) throw e;
    throw new Error(encoding === 'gzip' ? `invalid gzip body: ${e.message}` : e.message);
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) { all.set(c, off); off += c.byteLength; }
  return { data: all, bytes: raw.count(), decompressed: inflated ? size : null };
}
