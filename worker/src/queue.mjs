// The durable relay on Cloudflare Queues: with a producer binding LIBRATO_QUEUE, a write is
// answered as soon as its gauges (or measurements) are safely enqueued, and the same worker's
// queue() consumer delivers them. Every rule (message format, regrouping into full requests,
// backoff, isolating a refused write, dead letters) is in the package (pack / deliver); this
// file only calls the queue APIs with what they return.
import { errorResponse, noContent } from './responses.mjs';

function num(env, name, fallback) {
  const v = Number(env[name]);
  return env[name] !== undefined && Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** Enqueues a write's items; 204 (or the partial-write 400) only once every sendBatch resolved. */
export async function enqueueWrite(env, output, data, ctx, log) {
  const { api, format, precision, noun } = ctx;
  const maxMessages = num(env, 'MAX_MESSAGES_PER_WRITE', 100);
  const packed = output.pack(data, { format, precision, maxMessages });
  const summary = { api, mode: 'durable', gauges: packed.gauges, messages: packed.messages.length, skipped: packed.skipped.length, errors: packed.errors.length };
  if (packed.tooMany) {
    const message = `this write needs more than ${maxMessages} queue messages of 128 KB (MAX_MESSAGES_PER_WRITE): lower metric_batch_size in Telegraf`;
    log({ ...summary, outcome: 'too_many_messages', status: 413, message });
    return errorResponse(413, 'request too large', message, api);
  }
  // One sendBatch at a time, so that a failure leaves a known prefix enqueued. If the first
  // fails nothing is queued: 503, and the client's resend duplicates nothing. If a later one
  // fails (after one more try), its messages and the rest are delivered to the API here and
  // now; only if that fails too is the answer 503 (then the enqueued part is sent twice once
  // the client resends: at least once, never lost).
  let enqueued = 0;
  let failure = null;
  for (const b of packed.batches) {
    const send = () => env.LIBRATO_QUEUE.sendBatch(b.map((body) => ({ body, contentType: 'text' })));
    try {
      await send().catch(() => send());
      enqueued++;
    } catch (e) {
      failure = e;
      break;
    }
  }
  if (failure) {
    const left = packed.batches.slice(enqueued).flat();
    const delivered = enqueued > 0 && await deliverNow(env, output, left, log);
    if (!delivered) {
      const retryAfter = String(num(env, 'RETRY_AFTER_SECONDS', 10));
      const message = `could not enqueue the write (${failure && failure.message}); retry it`;
      log({ ...summary, outcome: 'enqueue_failed', status: 503, message, enqueued_messages: packed.batches.slice(0, enqueued).flat().length });
      return errorResponse(503, 'unavailable', message, api, { 'Retry-After': retryAfter });
    }
    summary.delivered_directly = left.length;
  }
  let response = noContent();
  if (packed.errors.length > 0) {
    const lines = packed.errors.slice(0, 5).map((e) => `line ${e.line}:${e.column}: ${e.message}`).join('; ');
    const more = packed.errors.length > 5 ? ` (and ${packed.errors.length - 5} more)` : '';
    response = errorResponse(400, 'invalid', `partial write: ${packed.errors.length} line(s) could not be parsed and were dropped, the rest was accepted: ${lines}${more}`, api);
  }
  log({ ...summary, outcome: response.status === 204 ? 'enqueued' : 'partial', status: response.status, noun });
  return response;
}

/**
 * Part of a write could not be enqueued: its messages go to the API directly, within the
 * write's subrequest budget. True when every item was stored (or refused for good and
 * dead-lettered): the write may then be answered as enqueued.
 */
async function deliverNow(env, output, messages, log) {
  try {
    const d = await output.deliver(messages.map((body) => ({ body, attempts: 1 })), {
      maxRequests: num(env, 'MAX_SUBREQUESTS', 45),
    });
    for (const o of d.outcomes) {
      if (!o.ack || o.requeue || o.unreadable) return false;
      if (o.deadLetter !== undefined) {
        if (!env.LIBRATO_DEAD_LETTER) return false;
        await env.LIBRATO_DEAD_LETTER.send(o.deadLetter, { contentType: 'text' });
      }
    }
    return true;
  } catch (e) {
    log({ level: 'error', message: `direct delivery after a failed enqueue failed: ${e && e.message}` });
    return false;
  }
}

/** The consumer: delivers a batch, then acks, retries, re-enqueues or dead-letters each message. */
export async function consume(batch, env, output, log) {
  const started = Date.now();
  const messages = batch.messages.map((m) => ({
    body: typeof m.body === 'string' ? m.body : JSON.stringify(m.body ?? null),
    attempts: m.attempts ?? 1,
  }));
  const d = await output.deliver(messages, {
    maxRequests: num(env, 'QUEUE_MAX_REQUESTS', 40),
    retryBaseSeconds: num(env, 'QUEUE_RETRY_BASE_SECONDS', 30),
    retryMaxSeconds: num(env, 'QUEUE_RETRY_MAX_SECONDS', 3600),
    fixDelaySeconds: num(env, 'QUEUE_FIX_DELAY_SECONDS', 900),
  });
  const counts = { acked: 0, retried: 0, requeued: 0, dead_lettered: 0 };
  let fix = null;
  await Promise.all(batch.messages.map(async (m, i) => {
    const o = d.outcomes[i];
    try {
      if (o.deadLetter !== undefined) {
        if (!env.LIBRATO_DEAD_LETTER) throw new Error('the LIBRATO_DEAD_LETTER binding is missing: keeping the message');
        await env.LIBRATO_DEAD_LETTER.send(o.deadLetter, { contentType: 'text' });
        counts.dead_lettered++;
      }
      if (o.requeue) {
        await env.LIBRATO_QUEUE.send(o.requeue.body, { contentType: 'text', delaySeconds: o.requeue.delaySeconds });
        counts.requeued++;
      }
      if (o.ack) {
        m.ack();
        counts.acked++;
      } else {
        m.retry({ delaySeconds: o.retryDelaySeconds ?? 0 });
        counts.retried++;
      }
      if (o.fix) fix = o.reason;
    } catch (e) {
      // A queue call failed: keep the whole message (at least once; nothing lost).
      m.retry({ delaySeconds: num(env, 'QUEUE_RETRY_BASE_SECONDS', 30) });
      counts.retried++;
      log({ level: 'error', message: `queue call failed, message kept: ${e && e.message}` });
    }
  }));
  const oldest = Math.min(...batch.messages.map((m) => +new Date(m.timestamp ?? Date.now())));
  log({
    mode: 'consumer', queue: batch.queue, messages: batch.messages.length, gauges: d.items, requests: d.requests, attempts: d.attempts,
    ...counts, oldest_age_ms: Math.max(0, Date.now() - oldest), ms: Date.now() - started,
  });
  if (fix) log({ level: 'error', message: `the API refused the relay's credentials or settings; the data is kept and retried: ${fix}` });
}
