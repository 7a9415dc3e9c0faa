// node scripts/no-multivalue.mjs IN OUT: copies rustc's .wasm with `multivalue` taken out of its
// target_features section, for wasm-bindgen to read. wasm-bindgen turns every export that
// returns through memory (a string, a Result) into one returning several values whenever that
// section lists multivalue, and rustc's std always does. V8 (Node 20) has no generic
// JS-to-wasm wrapper for a multi-value return: it compiles one with TurboFan per such
// signature when it compiles the module (~0.4 ms each here; the metrics entry had 6, the main
// one 9), where every single-value export shares the generic wrapper. Nothing else reads the
// section (wasm-opt is given its features by flag), and the code itself has no multi-value
// function: Rust's wasm ABI returns aggregates through memory.
import { readFileSync, writeFileSync } from 'node:fs';

const [inPath, outPath] = process.argv.slice(2);
const b = readFileSync(inPath);
let p = 8;
const uleb = () => {
  let r = 0;
  let shift = 0;
  let x;
  do {
    x = b[p++];
    r |= (x & 0x7f) << shift;
    shift += 7;
  } while (x & 0x80);
  return r >>> 0;
};
const leb = (n) => {
  const o = [];
  do {
    let x = n & 0x7f;
    n >>>= 7;
    if (n) x |= 0x80;
    o.push(x);
  } while (n);
  return Buffer.from(o);
};
const name = (s) => Buffer.concat([leb(Buffer.byteLength(s)), Buffer.from(s)]);

const parts = [b.subarray(0, 8)];
let dropped = false;
while (p < b.length) {
  const start = p;
  const id = b[p++];
  const end = uleb() + p;
  let section = b.subarray(start, end);
  if (id === 0) {
    const n = uleb();
    const title = b.subarray(p, p + n).toString();
    p += n;
    if (title === 'target_features') {
      const kept = [];
      for (let i = uleb(); i > 0; i--) {
        const prefix = b[p++];
        const len = uleb();
        const feature = b.subarray(p, p + len).toString();
        p += len;
        if (feature === 'multivalue') dropped = true;
        else kept.push(Buffer.concat([Buffer.from([prefix]), name(feature)]));
      }
      const body = Buffer.concat([name(title), leb(kept.length), ...kept]);
      section = Buffer.concat([Buffer.from([0]), leb(body.length), body]);
    }
  }
  parts.push(section);
  p = end;
}
// A rustc that does not list multivalue needs nothing done: the copy is the same bytes then
// (tests/js/imports.test.mjs checks the outcome, every export returning one value).
writeFileSync(outPath, dropped ? Buffer.concat(parts) : b);
