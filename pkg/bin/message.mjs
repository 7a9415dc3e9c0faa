// What execd and its spool need to know of the queue message format (version 1, written and
// read by the package: crates/output/src/queue/message.rs): the header
// `librato-wasm-queue <version> <api> <count> <attempts>`, an optional `# reason` line, then one
// gauge a line. Kept to these three functions.

const HEADER = /^librato-wasm-queue \d+ \S+ (\d+) \d+$/;

/** The gauges a message says it holds, or -1 when its first line is not a header. */
export function itemCount(text) {
  const m = HEADER.exec(text.slice(0, text.indexOf('\n') >>> 0));
  return m ? Number(m[1]) : -1;
}

/** Whether the text is a whole message: a header, and as many gauges as it says. */
export function isWhole(text) {
  const n = itemCount(text);
  return n >= 0 && text.split('\n').filter((l) => l.startsWith('{')).length === n;
}

/** The message without its `k` oldest gauges. */
export function withoutOldest(text, k) {
  const lines = text.split('\n');
  const head = lines[0].split(' ');
  const items = lines.filter((l) => l.startsWith('{')).slice(k);
  head[3] = String(items.length);
  return [head.join(' '), ...items].join('\n');
}
