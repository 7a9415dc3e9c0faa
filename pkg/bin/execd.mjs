// `librato-wasm execd`: behind Telegraf's [[outputs.execd]]. Line protocol arrives on stdin;
// each chunk Telegraf writes is cut once complete (an idle gap, or batch_size lines), packed
// into messages (one gauge a line: the package's queue format) and handed to the sender
// (sender.mjs): full requests, the config's retries, per message ack / retry / re-enqueue.
// Telegraf counts metrics delivered once written to the pipe, so this process owns them:
// pending gauges are bounded by --buffer-limit and, with --spool, on disk until acknowledged.
import { sender, say } from './sender.mjs';

const NEWLINE = 0x0a;

export function execd(opts) {
  const { config } = opts;
  const { output, batch, add, stop: finish } = sender(opts);

  // Reading: complete lines into the current chunk; cut it on an idle gap or batch_size lines.
  let partial = Buffer.alloc(0);
  let chunk = [];
  let chunkLines = 0;
  let chunkStart = 1; // the stream line the chunk starts at
  let idle = null;

  function cut() {
    if (idle) clearTimeout(idle);
    idle = null;
    if (chunk.length === 0) return;
    const bytes = Buffer.concat(chunk);
    const base = chunkStart;
    chunkStart += chunkLines;
    chunk = [];
    chunkLines = 0;
    // Messages of one request each: sent one at a time, none needs re-encoding.
    const packed = output.pack(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), { format: opts.format ?? 'influx', precision: opts.precision, maxItems: batch });
    for (const e of packed.errors) say('W!', `line ${base + e.line - 1}, column ${e.column}: ${e.message}`);
    for (const s of packed.skipped) if (config.debug) say('D!', `skipped ${s.metric}${s.field ? `.${s.field}` : ''}: ${s.reason}: ${s.message}`);
    for (const m of packed.messages) add(m);
  }

  function onData(buf) {
    const data = partial.length ? Buffer.concat([partial, buf]) : buf;
    const end = data.lastIndexOf(NEWLINE);
    if (end < 0) { partial = data; return; }
    const complete = data.subarray(0, end + 1);
    partial = Buffer.from(data.subarray(end + 1));
    chunk.push(complete);
    for (let i = 0; i < complete.length; i++) if (complete[i] === NEWLINE) chunkLines++;
    if (chunkLines >= batch) cut();
    else {
      if (idle) clearTimeout(idle);
      idle = setTimeout(cut, opts.flushAfter);
    }
  }

  return new Promise((resolve) => {
    let stopping = false;
    function stop(why) {
      if (!stopping) {
        stopping = true;
        process.stdin.off('data', onData);
        process.stdin.pause();
        if (partial.length) { chunk.push(Buffer.concat([partial, Buffer.from('\n')])); chunkLines++; partial = Buffer.alloc(0); }
        cut();
      }
      finish(why).then(resolve);
    }
    process.stdin.on('data', onData);
    process.stdin.on('end', () => stop('stdin closed'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
