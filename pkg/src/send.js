// Drives a send job of the wasm side (src/send_job.rs) over the runtime's fetch: Rust decides
// every step (which batch goes next, each retry and its wait, the stop after a refused login,
// every message and the report); here are only what needs the runtime: the requests, their
// timeout and the timers. A step is one number: n >= 0 posts batch n, -1 is done, -2 - ms
// waits ms milliseconds.

export function makeDrive({ guard, generation }) {
  // A reset after a panic frees the job's instance: no call may reach the stale object.
  const live = (g, fn) => guard(() => {
    if (generation() !== g) {
      const e = new Error('librato-wasm internal error: the module was reset during this send (it stays usable; send again)');
      e.code = 'internal_error';
      throw e;
    }
    return fn();
  });

  return async function drive(job) {
    const g = generation();
    const call = (fn) => live(g, fn);
    try {
      const fetchFn = call(() => job.fetch());
      const url = call(() => job.url());
      const authorization = call(() => job.authorization());
      const timeoutMs = call(() => job.timeoutMs());
      const run = async (slot) => {
        let step = call(() => job.start(slot));
        while (step !== -1) {
          if (step < -1) {
            const ms = -2 - step;
            if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
            step = call(() => job.start(slot));
          } else {
            step = await post(call, job, slot, step, fetchFn, url, authorization, timeoutMs);
          }
        }
      };
      do {
        const slots = [];
        for (let s = 0, n = call(() => job.workers()); s < n; s++) slots.push(run(s));
        await Promise.all(slots);
      } while (call(() => job.advance()));
      return call(() => job.result());
    } finally {
      // The job holds the bodies in wasm memory: freed now, not whenever GC finalizes it.
      if (generation() === g) job.free();
    }
  };
}

// One POST with a whole-request timeout (headers and body); redirects are not followed.
async function post(call, job, slot, n, fetchFn, url, authorization, timeoutMs) {
  if (typeof AbortController !== 'function') return call(() => job.failed(slot, false, 'AbortController is not available'));
  const controller = new AbortController();
  const init = {
    method: 'POST',
    // A plain object, not a Headers: in Node the first Headers loads undici (~18 ms of a cold
    // start), which a user's own fetch may never need; every fetch takes a record.
    headers: { 'Content-Type': 'application/json', Authorization: authorization },
    body: call(() => job.body(n)),
    signal: controller.signal,
    redirect: 'manual',
  };
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let answer;
  try {
    const resp = await (fetchFn ? fetchFn(url, init) : globalThis.fetch(url, init));
    // Duck-typed: a user's fetch may return any Response-like object.
    const header = (name) => {
      try {
        const v = resp.headers.get(name);
        return typeof v === 'string' ? v : undefined;
      } catch {
        return undefined;
      }
    };
    const text = await resp.text();
    // A browser's manual redirect is an opaque response with status 0.
    const status = resp.status === 0 && resp.type === 'opaqueredirect' ? 302 : resp.status;
    answer = [status, typeof text === 'string' ? text : '', header('Retry-After'), header('Location'),
      header('X-Librato-RateLimit-Std'), header('X-Librato-RateLimit-Agg')];
  } catch (e) {
    answer = controller.signal.aborted ? null : errorText(e);
  } finally {
    clearTimeout(timer);
  }
  if (answer === null) return call(() => job.failed(slot, true, ''));
  if (typeof answer === 'string') return call(() => job.failed(slot, false, answer));
  return call(() => job.answered(slot, ...answer));
}

function errorText(e) {
  const m = e?.message;
  const msg = typeof m === 'string' ? m : typeof e === 'string' ? e : 'network error';
  // Node's fetch puts the useful part ("ECONNREFUSED", "other side closed") in `cause`.
  const c = e?.cause;
  const cause = c !== null && typeof c === 'object' && typeof c.message === 'string' ? c.message : '';
  return cause ? `${msg}: ${cause}` : msg;
}
