// The shared fixtures (tests/fixtures) through the built package in Node: the same answers
// the Rust test (tests/fixtures.rs) demands of the core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render } from '../../pkg/node.js';
import { loadFixtures, gaugeRows, measurementRows } from './helpers.mjs';

const cases = loadFixtures();

test('there are at least 30 shared fixtures', () => {
  assert.ok(cases.length >= 30, `found ${cases.length}`);
});

for (const c of cases) {
  test(`fixture ${c.name}`, () => {
    // The bytes always (as a request body arrives); the text too when it is valid UTF-8,
    // which must render exactly the same.
    const plan = render(c.bytes, c.config, c.options);
    if (c.input !== undefined) {
      const fromText = render(c.input, c.config, c.options);
      assert.deepEqual(fromText.requests, plan.requests);
      assert.deepEqual(fromText.errors, plan.errors);
      assert.deepEqual(fromText.skipped, plan.skipped);
    }
    // `api = "measurements"` cases list `measurements` where the others list `gauges`.
    const tagged = c.expected.measurements !== undefined;
    const bodies = plan.requests.map((r) => r.body);
    const want = tagged ? c.expected.measurements : c.expected.gauges;
    assert.deepEqual(tagged ? measurementRows(bodies) : gaugeRows(bodies), want);
    if (c.expected.bodies) assert.deepEqual(bodies, c.expected.bodies);
    assert.deepEqual(plan.requests.map((r) => r.count), c.expected.batches);
    assert.equal(plan.gauges, want.length);
    for (const r of plan.requests) {
      assert.equal(r.method, 'POST');
      assert.deepEqual(r.headers, { 'Content-Type': 'application/json' });
      assert.equal(JSON.parse(r.body)[tagged ? 'measurements' : 'gauges'].length, r.count);
      if (tagged) assert.ok(r.url.endsWith('/v1/measurements'), r.url);
    }
    assert.deepEqual(
      plan.skipped.map((s) => [s.line ?? null, s.metric, s.field ?? null, s.reason]),
      c.expected.skipped,
    );
    assert.equal(plan.errors.length, c.expected.errors.length, JSON.stringify(plan.errors));
    plan.errors.forEach((e, i) => {
      const [line, column, text] = c.expected.errors[i];
      assert.equal(e.line, line);
      assert.equal(e.column, column);
      assert.ok(e.message.includes(text), `${e.message} should include ${text}`);
    });
    for (const w of c.expected.warnings ?? []) {
      assert.ok(plan.warnings.some((x) => x.includes(w)), `warning ${w} in ${plan.warnings}`);
    }
  });
}
