// A catalogue of malformed inputs, each with the exact error it must produce, through the built
// package. After every error the module keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, loadConfig, render, LibratoOutput } from '../../pkg/node.js';

const T = '1700000000000000000';

// [input, line, column, exact message]
const LINE_PROTOCOL = [
  [',host=a v=1', 1, 1, 'missing measurement name before the tag set'],
  ['cpu', 1, 4, 'missing fields after "cpu"'],
  ['cpu,host=a', 1, 11, 'missing fields after "cpu"'],
  ['cpu,=a v=1', 1, 5, "missing tag key after ','"],
  ['cpu,host v=1', 1, 9, 'missing \'=\' and value for tag key "host"'],
  ['cpu,host= v=1', 1, 10, 'missing value for tag "host"'],
  ['cpu,host=a=b v=1', 1, 11, 'unescaped \'=\' in the value of tag "host": write it as \\='],
  ['cpu ,v=1', 1, 5, 'missing field key'],
  ['cpu v', 1, 6, 'missing \'=\' and value for field "v"'],
  ['cpu v=', 1, 7, 'missing value for field "v"'],
  ['cpu v=1,', 1, 9, 'missing field key'],
  ['cpu v=NaN', 1, 7, 'field "v": invalid field value "NaN": expected a number, a boolean or a "string"'],
  ['cpu v=+1', 1, 7, 'field "v": invalid field value "+1": expected a number, a boolean or a "string"'],
  ['cpu v=1e400', 1, 7, 'field "v": float "1e400" is out of range for a 64-bit float'],
  ['cpu v=9223372036854775808i', 1, 7, 'field "v": integer "9223372036854775808i" is out of range for a 64-bit signed integer'],
  ['cpu v=1.5i', 1, 7, 'field "v": invalid integer "1.5i": expected digits before the \'i\''],
  ['cpu v=-1u', 1, 7, 'field "v": unsigned integer "-1u" cannot be negative'],
  ['cpu v=18446744073709551616u', 1, 7, 'field "v": unsigned integer "18446744073709551616u" is out of range for a 64-bit unsigned integer'],
  ['cpu v=yes', 1, 7, 'field "v": invalid field value "yes": expected a number, a boolean or a "string"'],
  ['cpu v="open', 1, 7, 'unterminated string value for field "v": missing the closing \'"\''],
  ['cpu v="a"b', 1, 10, 'unexpected "b" after a field value: expected \',\', a space or the end of the line'],
  ['cpu v=1 12x', 1, 9, 'invalid timestamp "12x": expected an integer'],
  ['cpu v=1 9223372036854775807', 1, 9, 'timestamp "9223372036854775807" is out of range for ns precision'],
  ['cpu v=1 1 2', 1, 11, 'unexpected "2" after the timestamp'],
  ['ok v=1 1\n\ncpu v', 3, 6, 'missing \'=\' and value for field "v"'],
];

// [input, line, column, exact message]
const TELEGRAF_JSON = [
  ['{"fields":{"v":1}}', 1, 1, 'metric has no "name"'],
  ['{"name":5,"fields":{"v":1}}', 1, 1, 'metric "name" must be a string, found a number'],
  ['{"name":"","fields":{"v":1}}', 1, 1, 'metric "name" is empty'],
  ['{"name":"m"}', 1, 1, 'metric "m" has no "fields"'],
  ['{"name":"m","fields":{}}', 1, 1, 'metric "m" has no fields'],
  ['{"name":"m","fields":{"v":null}}', 1, 1, 'field "v" must be a number, boolean or string, found null'],
  ['{"name":"m","tags":{"h":true},"fields":{"v":1}}', 1, 1, 'tag "h" must be a string, found a boolean'],
  ['{"name":"m","tags":[],"fields":{"v":1}}', 1, 1, '"tags" must be an object, found an array'],
  ['{"name":"m","fields":{"v":1},"timestamp":"now"}', 1, 1, '"timestamp" must be a number, found a string'],
  ['[1,2]', 1, 1, 'expected a metric object, found an array'],
  ['{"name":"m","fields":{"v":}}', 1, 27, 'invalid JSON: expected value'],
  // The bad escape's digits run into a multi-byte character: the place is that character.
  ['{"name":"m","fields":{"v":"\\u12é"}}', 1, 32, 'invalid JSON: invalid escape'],
  ['{"metrics":[{"name":"m","fields":{"v":1}} {"name":"n"}]}', 1, 43, 'expected \',\' or \']\' in the "metrics" array'],
];

// [toml, line, column, key, exact message]
const TOML = [
  ['template = host', 1, 12, null, 'line 1, column 12: invalid TOML: string values must be quoted: host'],
  ['api_user = "u"\napi_user = "v"', 2, 1, null, 'line 2, column 1: invalid TOML: duplicate key "api_user"'],
  ['[[outputs.librato]]\n  timeout = 5s', 2, 13, null, 'line 2, column 13: invalid TOML: invalid value: 5s'],
  ['[[outputs.librato]]\n  api_url = "http://x\n', 2, 13, null, 'line 2, column 13: invalid TOML: unterminated string: a " string ends on its own line'],
  ['[[outputs.librato]]\n  tempalte = "host"', 2, 3, 'tempalte', 'line 2, column 3: unknown key "tempalte" in [[outputs.librato]]'],
  ['debug = "yes"', 1, 9, 'debug', 'line 1, column 9: debug must be a boolean, found a string'],
  ['timeout = "5 parsecs"', 1, 11, 'timeout', 'line 1, column 11: timeout: invalid duration "5 parsecs": unknown unit "parsecs" (use ns, us, ms, s, m or h)'],
  ['timeout = "0s"', 1, 11, 'timeout', 'line 1, column 11: timeout must be greater than zero'],
  ['timeout = "5"', null, null, null, null],
  ['batch_size = 301', 1, 14, 'batch_size', 'line 1, column 14: batch_size must be between 1 and 300, found 301'],
  ['retries = "3"', 1, 11, 'retries', 'line 1, column 11: retries must be an integer, found a string'],
  ['template = 1', 1, 12, 'template', 'line 1, column 12: template must be a string, found an integer'],
  ['api_url = "ftp://x"', 1, 11, 'api_url', 'line 1, column 11: api_url must start with http:// or https://'],
  ['api_url = "http://a:b@h/"', 1, 11, 'api_url', 'line 1, column 11: api_url must not contain credentials; use api_user and api_token'],
  ['template = "host"\nsource_tag = "hostname"', 2, 14, 'source_tag', 'line 2, column 14: source_tag = "hostname" conflicts with template = "host"; remove the deprecated source_tag'],
  ['namepass = ["cpu["]', 1, 17, 'namepass', 'line 1, column 17: namepass: invalid glob "cpu[": unexpected end of input'],
  ['namepass = ["ok*", "x[a-]"]', 1, 22, 'namepass', 'line 1, column 22: namepass: invalid glob "x[a-]": unexpected end of input'],
  ['fieldinclude = ["a*"]\ndrop = ["[z-a]"]', 2, 10, 'drop', 'line 2, column 10: drop: invalid glob "[z-a]": hi character \'a\' should be greater than lo \'z\' (in fieldexclude)'],
  ['namepass = "cpu"', 1, 12, 'namepass', 'line 1, column 12: namepass must be an array of strings, found a string'],
  ['[tagpass]\n  host = "web"', 2, 10, 'tagpass.host', 'line 2, column 10: tagpass.host must be an array of strings, found a string'],
  ['api_token = "${TOKEN:?is required}"', 1, 14, null, 'line 1, column 14: variable TOKEN is required'],
  ['api_token = "${TOKEN"', 1, 14, null, 'line 1, column 14: unterminated "${": missing "}"'],
  ['[outputs]\nlibrato = 5', 2, 11, 'outputs.librato', 'line 2, column 11: outputs.librato must be a table, found an integer'],
];

function check(fn, code, message, extra = {}) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Error, 'a real Error');
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    for (const [k, v] of Object.entries(extra)) assert.equal(e[k], v, k);
    return true;
  });
}

test('line protocol: each malformed line gives its exact error, and the good lines stay', () => {
  for (const [input, line, column, message] of LINE_PROTOCOL) {
    const { metrics, errors } = parse(`good v=1 ${T}\n${input}\nalso_good v=2 ${T}`);
    // An unterminated string runs to the end of the input, as in InfluxDB.
    const expected = input.includes('"open') ? ['good'] : input.startsWith('ok ') ? ['good', 'ok', 'also_good'] : ['good', 'also_good'];
    assert.deepEqual(metrics.map((m) => m.name), expected, input);
    assert.equal(errors.length, 1, input);
    assert.deepEqual([errors[0].line - 1, errors[0].column, errors[0].message], [line, column, message], input);
  }
});

test('Telegraf JSON: each malformed metric gives its exact error, and the good metrics stay', () => {
  for (const [input, line, column, message] of TELEGRAF_JSON) {
    const { metrics, errors } = parse(`${input}\n{"name":"good","fields":{"v":1},"timestamp":1}`, { format: 'json' });
    assert.equal(errors.length, 1, input);
    assert.deepEqual([errors[0].line, errors[0].column, errors[0].message], [line, column, message], input);
    assert.ok(metrics.some((m) => m.name === 'good'), input);
  }
});

test('TOML and config values: exact errors with line, column and key', () => {
  for (const [toml, line, column, key, message] of TOML) {
    if (message === null) {
      assert.equal(loadConfig(toml)[0].timeout, '5s', 'a bare number of seconds is a duration');
      continue;
    }
    assert.throws(() => loadConfig(toml), (e) => {
      assert.equal(e.code, 'invalid_config', toml);
      assert.ok(e.message.startsWith(message), `${toml}: ${e.message}`);
      assert.equal(e.line, line, toml);
      assert.equal(e.column, column, toml);
      assert.equal(e.key, key ?? undefined, toml);
      return true;
    });
  }
});

test('config objects: exact errors naming the key', () => {
  const line = `m,host=h v=1 ${T}`;
  check(() => render(line, { batch_size: 0 }), 'invalid_config', 'batch_size must be between 1 and 300, found 0', { key: 'batch_size' });
  check(() => render(line, { timeout: true }), 'invalid_config', 'timeout must be a duration string such as "5s", found a boolean', { key: 'timeout' });
  check(() => render(line, { concurrency: 1.5 }), 'invalid_config', 'concurrency must be an integer, found a float', { key: 'concurrency' });
  check(() => render(line, { template: null }), 'invalid_config', 'template must be a string, found null', { key: 'template' });
  check(() => render(line, { tagpass: ['a'] }), 'invalid_config', 'tagpass must be a table of tag key = [globs], found an array', { key: 'tagpass' });
  check(() => render(line, { api_user: 5n }), 'invalid_config', 'config object cannot be read as JSON (does it hold a bigint or a cycle?)');
  const cyclic = {}; cyclic.self = cyclic;
  check(() => render(line, cyclic), 'invalid_config', 'config object cannot be read as JSON (does it hold a bigint or a cycle?)');
  check(() => render(line, [1]), 'invalid_config', 'config must be an object or TOML text, found an array');
  check(() => render(line, 42), 'invalid_config', 'config must be an object or TOML text, found number');
});

test('misuse of the JS API: wrong types, undefined, huge strings, Metric fields', () => {
  check(() => parse(undefined), 'invalid_input', 'parse() takes the metrics text as a string, Uint8Array or ArrayBuffer');
  check(() => parse(42), 'invalid_input', 'parse() takes the metrics text as a string, Uint8Array or ArrayBuffer');
  check(() => parse([]), 'invalid_input', 'parse() takes the metrics text as a string, Uint8Array or ArrayBuffer');
  check(() => render(undefined), 'invalid_input', 'input must be line protocol / JSON text (a string, Uint8Array or ArrayBuffer) or an array of metrics');
  check(() => render({ name: 'm' }), 'invalid_input', 'input must be line protocol / JSON text (a string, Uint8Array or ArrayBuffer) or an array of metrics');
  check(() => render(new Uint8Array(3_000_001), {}, { maxInputBytes: 3_000_000 }), 'input_too_large', 'input is 3000001 bytes, more than maxInputBytes (3000000): split it, or raise options.maxInputBytes');
  check(() => render('a v=1', {}, { explain: 'yes' }), 'invalid_options', 'options.explain must be a boolean');
  check(() => parse('a v=1', 'ns'), 'invalid_options', 'options must be an object, found string');
  check(() => loadConfig(undefined), 'invalid_config', 'loadConfig() takes the TOML text as a string');
  check(() => loadConfig('', { env: { A: 1 } }), 'invalid_options', 'options.env["A"] must be a string');
  check(() => parse('a v=1', { defaultTime: 1.5 }), 'invalid_options', 'options.defaultTime must be a bigint of nanoseconds within the 64-bit range');
  check(() => parse('a v=1', { defaultTime: 2n ** 64n }), 'invalid_options', 'options.defaultTime must be a bigint of nanoseconds within the 64-bit range');
  check(() => render([{ name: 'm', fields: { v: 1 }, time: 1700000000000000000 }]), 'invalid_metric', 'metrics[0]: time must be a bigint of nanoseconds, found number');
  check(() => render([{ name: 'm', fields: { v: 1 }, time: 1n }, { name: 'n', fields: { v: 2 }, time: 5 }]), 'invalid_metric', 'metrics[1]: time must be a bigint of nanoseconds, found number');
  check(() => render([{ name: 'm', fields: { v: Symbol('x') } }]), 'invalid_metric', 'metrics[0]: fields["v"] must be a number, bigint, boolean or string, found symbol');
  check(() => render([{ name: 'm', fields: { v: {} } }]), 'invalid_metric', 'metrics[0]: fields["v"] must be a number, bigint, boolean or string, found object');
  check(() => render([{ fields: { v: 1 } }]), 'invalid_metric', 'metrics[0]: name must be a non-empty string');
  check(() => render([{ name: 'm', fields: 'v=1' }]), 'invalid_metric', 'metrics[0]: fields must be an object, found string');
  const huge = 'x'.repeat(2_000_001);
  check(() => render(huge, {}, { maxInputBytes: 2_000_000 }), 'input_too_large', 'input is 2000001 characters, more than maxInputBytes (2000000): split it, or raise options.maxInputBytes', { limit: 2_000_000 });
  check(() => parse(huge, { maxInputBytes: 10 }), 'input_too_large', 'input is 2000001 characters, more than maxInputBytes (10): split it, or raise options.maxInputBytes');
  check(() => parse('a v=1', { maxInputBytes: -1 }), 'invalid_options', 'options.maxInputBytes must be a non-negative number');
  assert.throws(() => new LibratoOutput({}, { log: 'console' }), (e) => e.code === 'invalid_options' && e.message === 'options.log must be a function');
});

test('async misuse rejects with exact errors', async () => {
  const out = new LibratoOutput({ api_user: 'u@example.com', api_token: 'tok-123', api_url: 'http://127.0.0.1:9/v1/metrics' });
  await assert.rejects(out.write(42), (e) => e.code === 'invalid_input' && e.message === 'input must be line protocol / JSON text (a string, Uint8Array or ArrayBuffer) or an array of metrics');
  // A limit that is not a number used to mean "no limit" silently.
  await assert.rejects(out.write(`m,host=h v=1 ${T}`, { maxRequests: '10' }), (e) => e.code === 'invalid_options' && e.message === 'options.maxRequests must be a non-negative number, found string');
  await assert.rejects(out.write(`m,host=h v=1 ${T}`, { maxRequests: NaN }), (e) => e.code === 'invalid_options' && e.message === 'options.maxRequests must be a non-negative number, found number');
  await assert.rejects(out.resend('nope'), (e) => e.code === 'invalid_input' && e.message === "resend() takes the report's failed array");
  await assert.rejects(out.resend([{ body: 5 }]), (e) => e.message === 'failed[0] must have a string body and an integer count');
  await assert.rejects(out.write(`m,host=h v=1 ${T}`, { maxRequests: 0 }), (e) => e.code === 'too_many_requests' && e.message === 'this write needs 1 requests (1 gauges), more than the limit of 0');
});

test('the catalogue has at least 50 cases, and the module still works after all of them', () => {
  assert.ok(LINE_PROTOCOL.length + TELEGRAF_JSON.length + TOML.length + 9 + 23 + 6 >= 50);
  const plan = render(`cpu,host=a usage=1 ${T}`, { template: 'host' });
  assert.equal(plan.gauges, 1);
  assert.equal(JSON.parse(plan.requests[0].body).gauges[0].source, 'a');
});
