// The public JS API (design.md's contract) through the built package in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, loadConfig, render, redactConfig, LibratoOutput } from '../../pkg/node.js';

const T = 1_700_000_000_000_000_000n;

test('parse returns typed metrics: bigint integers and time', () => {
  const { metrics, errors } = parse(`cpu,host=a f=1.5,i=-3i,u=18446744073709551615u,b=t,s="x y" ${T}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(metrics, [{
    name: 'cpu',
    tags: { host: 'a' },
    fields: { f: 1.5, i: -3n, u: 18446744073709551615n, b: true, s: 'x y' },
    time: T,
  }]);
});

test('parse keeps good lines and reports bad ones with line, column and text', () => {
  const { metrics, errors } = parse('a v=1 1\nb v=oops 2\nc v=3 3', { precision: 's' });
  assert.deepEqual(metrics.map((m) => [m.name, m.time]), [['a', 1_000_000_000n], ['c', 3_000_000_000n]]);
  assert.equal(errors.length, 1);
  assert.deepEqual({ ...errors[0], message: undefined }, { line: 2, column: 5, message: undefined, text: 'b v=oops 2' });
  assert.match(errors[0].message, /invalid field value "oops"/);
});

test('parse uses defaultTime for lines without a timestamp, and now by default', () => {
  assert.equal(parse('a v=1', { defaultTime: 42n }).metrics[0].time, 42n);
  const before = BigInt(Date.now()) * 1_000_000n;
  const t = parse('a v=1').metrics[0].time;
  assert.ok(t >= before - 1_000_000_000n && t <= before + 5_000_000_000n, `${t} is about now`);
  // Now is Date.now()'s millisecond exactly (no float rounding just below it, which
  // precision "ms" would cut to the millisecond before).
  for (let i = 0; i < 200; i++) {
    const lo = BigInt(Date.now());
    const ms = parse('a v=1', { precision: 'ms' }).metrics[0].time;
    const ns = parse('a v=1').metrics[0].time;
    const hi = BigInt(Date.now());
    assert.equal(ns % 1_000_000n, 0n, `${ns}`);
    assert.ok(ms >= lo * 1_000_000n && ms <= hi * 1_000_000n, `${ms} within [${lo}, ${hi}] ms`);
  }
});

test('parse keeps every key as an own property, "__proto__" too', () => {
  const { metrics } = parse('m,__proto__=p,constructor=c __proto__=1,toString="s" 1\n');
  const [m] = metrics;
  assert.deepEqual(Object.keys(m.tags), ['__proto__', 'constructor']);
  assert.equal(Object.getOwnPropertyDescriptor(m.tags, '__proto__').value, 'p');
  assert.equal(Object.getPrototypeOf(m.tags), Object.prototype);
  assert.deepEqual(Object.entries(m.fields), [['__proto__', 1], ['toString', 's']]);
  assert.equal(JSON.stringify(m.fields), '{"__proto__":1,"toString":"s"}');
});

test('parse reads Telegraf JSON', () => {
  const { metrics } = parse('{"metrics":[{"name":"m","tags":{},"fields":{"v":2},"timestamp":5}]}', { format: 'json' });
  assert.deepEqual(metrics, [{ name: 'm', tags: {}, fields: { v: 2n }, time: 5_000_000_000n }]);
});

test('bad options are Errors with a code', () => {
  for (const [opts, re] of [
    [{ precision: 'd' }, /precision must be one of/],
    [{ format: 'xml' }, /format must be 'influx' or 'json'/],
    [{ defaultTime: 5 }, /defaultTime must be a bigint/],
    ['ns', /options must be an object/],
  ]) {
    assert.throws(() => parse('a v=1', opts), (e) => e instanceof Error && e.code === 'invalid_options' && re.test(e.message));
  }
  assert.throws(() => parse(42), (e) => e.code === 'invalid_input');
});

test('loadConfig returns one config per librato table with defaults', () => {
  const configs = loadConfig(`
[[outputs.librato]]
  api_user = "a@example.com"
  api_token = "t1"
[[outputs.librato]]
  api_user = "b@example.com"
  api_token = "t2"
  template = "host.tags"
  timeout = "1m30s"
`);
  assert.equal(configs.length, 2);
  assert.deepEqual(configs[0], {
    api: 'metrics', api_user: 'a@example.com', api_token: 't1', api_url: 'https://metrics-api.librato.com/v1/metrics',
    template: 'host', timeout: '5s', debug: false, batch_size: 300, body_format: 'telegraf', retries: 3, concurrency: 4,
    retry_backoff: '500ms', retry_max_wait: '30s', alias: '',
  });
  assert.equal(configs[1].timeout, '1m30s');
  assert.equal(configs[1].template, 'host.tags');
});

test('loadConfig errors carry line, column and key', () => {
  assert.throws(() => loadConfig('[[outputs.librato]]\n  api_user = "u"\n  tempalte = "host"\n'), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.code, 'invalid_config');
    assert.equal(e.line, 3);
    assert.equal(e.column, 3);
    assert.equal(e.key, 'tempalte');
    assert.match(e.message, /unknown key "tempalte"/);
    return true;
  });
  assert.throws(() => loadConfig('template = host'), (e) => e.line === 1 && /invalid TOML/.test(e.message));
});

test('loadConfig substitutes env and checks secret references without showing secrets', () => {
  const [c] = loadConfig('api_user = "${USER_EMAIL}"\napi_token = "@{vault:token}"', {
    env: { USER_EMAIL: 'me@example.com' },
    secrets: { 'vault:token': 'hunter2-secret' },
  });
  assert.equal(c.api_user, 'me@example.com');
  assert.equal(c.api_token, '@{vault:token}');
  assert.throws(
    () => loadConfig('api_token = "@{vault:nope}"', { secrets: { 'vault:token': 'hunter2-secret' } }),
    (e) => e.message.includes('@{vault:nope}') && !e.message.includes('hunter2'),
  );
});

test('loadConfig warnings ride along without becoming keys', () => {
  const [c] = loadConfig('source_tag = "hostname"\nflush_interval = "10s"');
  assert.equal(c.template, 'hostname');
  assert.equal(c.warnings.length, 2);
  assert.ok(!Object.keys(c).includes('warnings'));
  // A loaded config feeds straight back into render.
  assert.equal(render(`m,hostname=x value=1 ${T}`, c).requests.length, 1);
});

test('render accepts a config object, TOML text, or nothing', () => {
  const line = `m,host=a,dc=b value=1 ${T}`;
  const src = (plan) => JSON.parse(plan.requests[0].body).gauges[0].source;
  assert.equal(src(render(line)), 'a');
  assert.equal(src(render(line, { template: 'host.dc' })), 'a.b');
  assert.equal(src(render(line, '[[outputs.librato]]\ntemplate = "tags"\n')), 'b.a', 'tags sorted by key: dc, host');
  assert.throws(() => render(line, { nope: 1 }), (e) => e.code === 'invalid_config' && e.key === 'nope');
  assert.throws(() => render(line, 5), (e) => e.code === 'invalid_config');
  assert.throws(() => render(line, '[agent]\n'), /no \[\[outputs.librato\]\] table/);
});

test('render of Metric objects equals render of the same line protocol', () => {
  const text = `cpu,host=a usage=1.5,n=3i,up=true,s="x" ${T}`;
  const fromText = render(text);
  const fromObjects = render(parse(text).metrics);
  assert.deepEqual(fromObjects.requests, fromText.requests);
  assert.deepEqual(fromObjects.skipped.map((s) => s.reason), ['string_value']);
});

test('render never puts credentials in requests', () => {
  const plan = render(`m,host=a value=1 ${T}`, { api_user: 'user@example.com', api_token: 'secret-token-123' });
  const text = JSON.stringify(plan);
  assert.ok(!text.includes('secret-token-123') && !text.includes('user@example.com'));
  assert.equal(plan.requests[0].headers.Authorization, undefined);
});

test('Metric objects are checked: wrong types are clear errors naming index and key', () => {
  const cases = [
    [[{ name: 'm', fields: { v: 1 }, time: 5 }], /metrics\[0\]: time must be a bigint/],
    [[{ name: '', fields: { v: 1 } }], /metrics\[0\]: name must be a non-empty string/],
    [[{ name: 'm', fields: { v: null } }], /metrics\[0\]: fields\["v"\] must be a number, bigint, boolean or string, found null/],
    [[{ name: 'm', fields: {} }], /at least one field/],
    [[{ name: 'm', tags: { a: 1 }, fields: { v: 1 } }], /tags\["a"\] must be a string/],
    [[{ name: 'm', fields: { v: 2n ** 64n } }], /outside the 64-bit range/],
    [[null], /expected a metric object/],
  ];
  for (const [input, re] of cases) {
    assert.throws(() => render(input), (e) => e.code === 'invalid_metric' && re.test(e.message), String(re));
  }
  // NaN can come from JS: that gauge alone is skipped.
  const plan = render([{ name: 'm', tags: { host: 'h' }, fields: { a: NaN, b: 1 }, time: T }]);
  assert.deepEqual(plan.skipped.map((s) => [s.field, s.reason]), [['a', 'non_finite']]);
  assert.equal(plan.gauges, 1);
});

test('the module keeps working after errors', () => {
  for (let i = 0; i < 50; i++) {
    assert.throws(() => loadConfig('x = '));
    assert.throws(() => render(`m v=1`, { batch_size: 0 }));
  }
  assert.equal(render(`m,host=a value=1 ${T}`).gauges, 1);
});

test('LibratoOutput refuses to send without credentials, before any request', async () => {
  let calls = 0;
  const out = new LibratoOutput({ api_url: 'http://127.0.0.1:9/v1/metrics' }, { fetch: () => { calls++; } });
  await assert.rejects(out.write(`m,host=a value=1 ${T}`), (e) => e.code === 'missing_credentials');
  const refs = new LibratoOutput({ api_user: 'u@example.com', api_token: '@{vault:token}' }, { fetch: () => { calls++; } });
  await assert.rejects(refs.write(`m,host=a value=1 ${T}`), (e) => e.code === 'unresolved_secret' && e.message.includes('@{vault:token}'));
  assert.equal(calls, 0);
  assert.throws(() => new LibratoOutput({}, { fetch: 5 }), (e) => e.code === 'invalid_options');
});

test('a Rust panic becomes an internal_error and the module stays usable', async () => {
  const bindings = await import('../../pkg/dist/librato_wasm.js');
  const { makeApi } = await import('../../pkg/src/api.js');
  const api = makeApi(bindings);
  const before = new LibratoOutput({ api_user: 'u@example.com', api_token: 'token-1' }, {
    fetch: async () => new Response('', { status: 200 }),
  });
  assert.throws(() => api.call(() => bindings.__panicForTests()), (e) => {
    assert.equal(e.code, 'internal_error');
    assert.match(e.message, /deliberate panic for tests/);
    assert.ok(e.cause instanceof WebAssembly.RuntimeError);
    return true;
  });
  // Both the entry's functions and objects made before the reset keep working.
  assert.equal(render(`m,host=a value=1 ${T}`).gauges, 1);
  assert.equal(parse('a v=1 1').metrics.length, 1);
  const report = await before.write(`m,host=a value=1 ${T}`);
  assert.equal(report.ok, true);
  assert.equal(report.sent, 1);
});

test('filters report counts, not a flood', () => {
  const lines = Array.from({ length: 1000 }, (_, i) => `drop_me,host=h v=${i} ${T + BigInt(i) * 1_000_000_000n}`).join('\n');
  const plan = render(`${lines}\nkeep,host=h v=1 ${T}\n`, { namedrop: ['drop_*'], fieldexclude: ['nothing'] });
  assert.equal(plan.gauges, 1);
  assert.deepEqual(plan.skipped, [{ line: 1, metric: 'drop_me', reason: 'filtered', message: 'metric dropped by namedrop (1000 times)', count: 1000, option: 'namedrop' }]);
  assert.throws(() => render('m v=1', { namepass: ['cpu['] }), (e) => e.code === 'invalid_config' && /invalid glob "cpu\["/.test(e.message));
  const [c] = loadConfig('namepass = ["cpu*"]\n[tagpass]\n  host = ["web-*"]\n');
  assert.deepEqual([c.namepass, c.tagpass], [['cpu*'], { host: ['web-*'] }]);
});

test('render reads large text a piece at a time exactly as parse reads it whole', () => {
  const PIECE = 1 << 18; // UTF-16 units per piece in render (src/lib.rs)
  const lines = [];
  let units = 0;
  const add = (l) => { lines.push(l); units += l.length + 1; };
  // Pad so that the first piece would end between the two halves of an emoji's surrogate pair.
  const head = 'cpu,host=h';
  while (units < PIECE - 200) add(`cpu,host=web-${lines.length % 97} usage=${lines.length}.5,n=${lines.length}i ${T}`);
  add('#'.repeat(PIECE - 1 - units - head.length - 1));
  add(`${head}😀x usage=1 ${T}`);
  for (let i = 0; units < 3.5 * PIECE; i++) {
    if (i % 7 === 0) add(`mem,host=h${i}é😀 used=${i} ${T}`);
    else if (i % 11 === 0) add(`log,host=h${i} msg="spans\n${'x'.repeat(i % 300)}\nlines",v=${i} ${T}`);
    else if (i % 13 === 0) add(`bad,host=h${i} v=oops${i} ${T}`);
    else add(`cpu,host=web-${i % 97},dc=us usage_idle=${i}.25,usage_user=${i % 9} ${T}`);
  }
  const text = lines.join('\n');
  assert.equal(text.charCodeAt(PIECE - 1) >> 10, 0xD800 >> 10, 'a high surrogate ends the first piece');
  const plan = render(text, undefined, { explain: true });
  const whole = parse(text);
  assert.deepEqual(plan.errors, whole.errors);
  assert.ok(whole.errors.length > 10 && whole.errors.every((e) => e.message.includes('oops')));
  const fromMetrics = render(whole.metrics);
  assert.equal(plan.gauges, fromMetrics.gauges);
  assert.deepEqual(plan.requests.map((r) => r.body), fromMetrics.requests.map((r) => r.body));
  const sources = new Set(plan.requests.flatMap((r) => JSON.parse(r.body).gauges.map((g) => g.source)));
  // Librato sources replace each disallowed character with '-': a surrogate pair split
  // between pieces would arrive as two U+FFFD, so 'h--x'.
  assert.ok(sources.has('h-x') && !sources.has('h--x'), 'the emoji at the piece boundary arrives whole');
});

test('a line with 50,000 fields, some repeated: each key once, first place, last value', () => {
  const n = 50_000;
  const fields = Array.from({ length: n }, (_, i) => `f${i}=${i}i`);
  // Repeat every 1,000th key at the end with a new value.
  for (let i = 0; i < n; i += 1000) fields.push(`f${i}=${-i}i`);
  const { metrics, errors } = parse(`m,host=h ${fields.join(',')} ${T}`);
  assert.deepEqual(errors, []);
  const keys = Object.keys(metrics[0].fields);
  assert.equal(keys.length, n);
  assert.equal(keys[0], 'f0');
  assert.equal(keys[n - 1], `f${n - 1}`);
  assert.equal(metrics[0].fields.f1000, -1000n);
  assert.equal(metrics[0].fields.f1001, 1001n);
  assert.equal(render(`m,host=h ${fields.join(',')} ${T}`).gauges, n);
});

test('bytes in: Uint8Array and ArrayBuffer give what the same text gives; invalid UTF-8 is that line\'s error', () => {
  const text = `cpu,host=é usage=1.5 ${T}\nmem,host=b used=2i ${T}\n`;
  const bytes = new TextEncoder().encode(text);
  for (const input of [bytes, bytes.buffer, Buffer.from(text)]) {
    assert.deepEqual(parse(input), parse(text));
    assert.deepEqual(render(input).requests, render(text).requests);
  }
  const bad = Buffer.concat([Buffer.from(`a v=1 ${T}\nb,t=x`), Buffer.from([0xc3, 0x28]), Buffer.from(` v=2 ${T}\nc v=3 ${T}`)]);
  const { metrics, errors } = parse(bad);
  assert.deepEqual(metrics.map((m) => m.name), ['a', 'c']);
  assert.equal(errors.length, 1);
  assert.deepEqual([errors[0].line, errors[0].column], [2, 6]);
  assert.equal(errors[0].message, 'invalid UTF-8 at byte 6 of the line: \\xC3');
  assert.deepEqual(render(bad).errors, errors);
});

test('a line without a timestamp gets defaultTime truncated to the precision', () => {
  const defaultTime = 1_700_000_000_987_654_321n;
  assert.equal(parse('m v=1', { precision: 's', defaultTime }).metrics[0].time, 1_700_000_000_000_000_000n);
  assert.equal(parse('m v=1', { precision: 'ms', defaultTime }).metrics[0].time, 1_700_000_000_987_000_000n);
  assert.equal(parse('m v=1', { defaultTime }).metrics[0].time, defaultTime);
});

test('explain: how the template built each source, from the renderer', () => {
  const plan = render(`cpu,host=web.1,dc=x usage=1 ${T}\nmem used=2 ${T}`, { template: 'host.rack.field' }, { explain: true });
  assert.deepEqual(plan.sources.map((s) => [s.line, s.source]), [[1, 'web_1'], [2, 'FIELDNAME']]);
  assert.deepEqual(plan.sources[0].steps[0], { part: 'host', what: 'tag host = "web.1" → web_1' });
  assert.ok(plan.warnings.some((w) => w.includes('template part "rack" matches no tag')));
  assert.equal(render('m v=1 1').sources, undefined, 'only with explain');
});

test('redactConfig: credentials out, everything else byte for byte; not TOML is an error without the secret', () => {
  const text = "# mine\n[[outputs.librato]]\n  'api_token' = '''\ns3cret-value'''  # token\n  template = \"host\"\n";
  assert.equal(redactConfig(text), "# mine\n[[outputs.librato]]\n  'api_token' = \"[redacted]\"  # token\n  template = \"host\"\n");
  assert.throws(() => redactConfig('api_token = "s3cret-value'), (e) => e.code === 'invalid_config' && e.line === 1 && !e.message.includes('s3cret'));
  assert.throws(() => redactConfig(42), (e) => e.code === 'invalid_config' && e.message === 'redactConfig() takes the TOML text as a string');
});

test('write with maxRequests stops rendering at the limit: a huge input costs only that much', async () => {
  let calls = 0;
  const out = new LibratoOutput({ api_user: 'u@example.com', api_token: 'tok-1234', api_url: 'http://127.0.0.1:9/v1/metrics' }, { fetch: () => { calls++; } });
  const lines = Array.from({ length: 200_000 }, (_, i) => `m,host=h v=${i} ${T + BigInt(i)}`).join('\n');
  const started = performance.now();
  await assert.rejects(out.write(lines, { maxRequests: 2 }), (e) => e.code === 'too_many_requests'
    && e.message === 'this write needs more than 2 requests (rendering stopped there, after 601 gauges)'
    && e.requests === 3 && e.gauges === 601);
  assert.equal(calls, 0, 'nothing sent');
  // Exactly at the limit: sent whole.
  const fits = Array.from({ length: 600 }, (_, i) => `m,host=h v=${i} ${T + BigInt(i)}`).join('\n');
  const ok = new LibratoOutput({ api_user: 'u@example.com', api_token: 'tok-1234', api_url: 'http://127.0.0.1:9/v1/metrics' },
    { fetch: async (url, init) => { assert.ok(init.body instanceof Uint8Array, 'bodies go to fetch as bytes'); return new Response(null, { status: 204 }); } });
  const report = await ok.write(fits, { maxRequests: 2 });
  assert.equal(report.sent, 600);
  assert.ok(performance.now() - started < 60_000);
});

test("the main entry's allocator: inputs of changing sizes, again and again, give the same bodies and stop growing memory", async () => {
  // Its own glue's memory (pkg/node.js instantiates it).
  const { __wasmMemoryBytes } = await import('../../pkg/dist/librato_wasm.js');
  const config = { api_user: 'u', api_token: 't', api_url: 'http://127.0.0.1:9/v1/metrics' };
  // 2,000 to 40,000 lines (0.1-2 MB): the input, its metrics and bodies are large blocks of
  // sizes that differ each time, freed and merged between renders.
  const inputs = [7, 1, 20, 3, 13, 2, 17].map((k) => Array.from({ length: k * 2000 },
    (_, i) => `cpu${i % 50},host=h${i % 97},region=r${k} usage_user=${(i * 0.37).toFixed(2)},idle=${i % 101}i ${T + BigInt(i)}`).join('\n'));
  const first = inputs.map((text) => render(text, config));
  for (const [k, r] of first.entries()) {
    assert.equal(r.errors.length, 0);
    assert.equal(r.gauges, [7, 1, 20, 3, 13, 2, 17][k] * 4000);
  }
  const grownAt = [];
  for (let round = 0; round < 6; round++) {
    for (const [k, text] of inputs.entries()) {
      const before = __wasmMemoryBytes();
      const r = render(text, config);
      if (__wasmMemoryBytes() > before) grownAt.push(`${round}:${k}`);
      assert.deepEqual(r.requests.map((q) => q.body), first[k].requests.map((q) => q.body), `round ${round}, input ${k}`);
    }
  }
  // What the first rounds freed serves the later ones.
  assert.ok(grownAt.every((at) => at.startsWith('0:') || at.startsWith('1:')), `memory grew at ${grownAt}`);
});
