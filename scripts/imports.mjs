// node scripts/imports.mjs DIR: rewrites the functions a .wasm imports from its wasm-bindgen glue,
// in DIR/librato_wasm_bg.wasm and DIR/librato_wasm.js alike (before wasm-opt, which optimises
// what this adds with the rest):
// - One of two signatures for each. V8 (Node 20) compiles a wasm-to-JS wrapper for each
//   distinct import signature when it compiles a module, ~45 µs each after the first; the
//   metrics entry's 44 imports had 14. Here each import takes (externref × E, f64 × N), E and N
//   the most any import takes, and returns an externref (for imports returning one or nothing)
//   or an f64 (for an i32 or an f64). In the .wasm each import becomes a small function of its
//   old signature that calls the new import: its externrefs first, its numbers as f64 after
//   them (an i32 as f64.convert_i32_s, the very number V8 would have handed JS), nulls and zeros
//   for the rest; an i32 result comes back through i64.trunc_sat_f64_s and i32.wrap_i64 (JS's
//   ToInt32 for the integers the glue returns). In the glue each function's parameter list is
//   reordered and padded to match (its body still names the same parameters), so that JS sees
//   the same arguments as before.
// - Short names. wasm-bindgen names each import with a 16-hex-digit hash
//   (`__wbg_body_30a52566718a2a78`), once in the .wasm and once in the glue. Random hex does not
//   compress: 44 imports cost the metrics entry ~0.9 KB gzipped, for names nothing but the two
//   files ever reads. The module name stays `./librato_wasm_bg.js` (a bundler that resolves a
//   .wasm's imports as ES modules would look for it).
import binaryen from 'binaryen';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MODULE = './librato_wasm_bg.js';
const dir = process.argv[2];
const wasmPath = join(dir, 'librato_wasm_bg.wasm');
const gluePath = join(dir, 'librato_wasm.js');
let glue = readFileSync(gluePath, 'utf8');

const fail = (what) => {
  console.error(`imports: ${what}`);
  process.exit(1);
};

const m = binaryen.readBinary(readFileSync(wasmPath));
// The features scripts/build.sh gives wasm-opt.
const F = binaryen.Features;
const features = F.BulkMemory | F.BulkMemoryOpt | F.NontrappingFPToInt | F.SignExt | F.MutableGlobals | F.ReferenceTypes | F.Multivalue;
m.setFeatures(features);
const { i32, f64, externref, none } = binaryen;

const imports = [];
const others = [];
for (let i = 0; i < m.getNumFunctions(); i++) {
  const f = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
  if (f.module !== MODULE) continue;
  const params = binaryen.expandType(f.params);
  const results = binaryen.expandType(f.results);
  // An import taking or returning anything else (an i64, a BigInt to JS) keeps its own.
  const kinds = params.map((t) => (t === externref ? 'ref' : t === i32 || t === f64 ? 'num' : null));
  const plain = !kinds.includes(null) && results.length <= 1 && (results.length === 0 || [externref, i32, f64].includes(results[0]));
  (plain ? imports : others).push({ ...f, params, results, kinds });
}
const E = Math.max(0, ...imports.map((f) => f.kinds.filter((k) => k === 'ref').length));
const N = Math.max(0, ...imports.map((f) => f.kinds.filter((k) => k === 'num').length));
const canonical = binaryen.createType([...Array(E).fill(externref), ...Array(N).fill(f64)]);

// The glue's function for `key` (its unique long name) is renamed `short` and takes the
// parameters `layout` gives for its own. It declares them all, too: V8 compiles a second
// wrapper at instantiation for an import whose JS function's `length` differs from its
// signature's, and wasm-bindgen writes imports that may throw as
// `function(){return handleError(function(a,b){...},arguments)}` (length 0). Both lists take
// the layout there (the body still passes `arguments` on).
const relist = (key, short, count, layout) => {
  const name = key.replace(/\$/g, '\\$');
  // The glue names each import once, as a key of its imports object: exactly one `key:`, or
  // this script no longer knows the glue's shape and stops the build.
  const keys = glue.match(new RegExp(`(?<![\\w$])${name}(?=:)`, 'g'))?.length ?? 0;
  if (keys !== 1) fail(`${key}: ${keys} keys in ${gluePath}, expected 1`);
  const head = new RegExp(`(?<![\\w$])${name}:function\\(([\\w$,]*)\\)(\\{return [\\w$]+\\(function\\(([\\w$,]*)\\))?`);
  const found = glue.match(head);
  if (!found) fail(`${key}: no \`${key}:function(...)\` in ${gluePath}`);
  const list = (names) => (names === '' ? [] : names.split(','));
  const handleError = found[1] === '' && found[2] !== undefined && list(found[3]).length === count;
  const own = list(handleError ? found[3] : found[1]);
  if (own.length !== count) fail(`${key}: the glue's function takes ${own.length} parameters, its wasm import ${count}`);
  const names = layout(own).join(',');
  const inner = handleError ? found[2].replace(`(function(${found[3]})`, () => `(function(${names})`) : (found[2] ?? '');
  glue = glue.replace(head, () => `${short}:function(${names})${inner}`);
};

// Short names in import order: a..z, A..Z, then two letters.
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const shortName = (i) => (i < LETTERS.length ? LETTERS[i] : shortName(Math.floor(i / LETTERS.length) - 1) + LETTERS[i % LETTERS.length]);
let renamed = 0;

// Pads are named `$_` and their slot, a name the minified glue does not use (checked).
const PAD = '$_';
if (glue.includes(PAD)) fail(`${gluePath} already names ${PAD}`);
const pad = (names, n, from) => [...names, ...Array.from({ length: n - names.length }, (_, i) => `${PAD}${from + names.length + i}`)];
// The new layout: the externref parameters, then the numbers, each padded.
const canonicalLayout = (kinds) => (names) => [
  ...pad(names.filter((_, i) => kinds[i] === 'ref'), E, 0),
  ...pad(names.filter((_, i) => kinds[i] === 'num'), N, E),
];
// Another signature keeps its own (and its own name inside the .wasm: calls name it).
for (const f of others) {
  const short = shortName(renamed++);
  relist(f.base, short, f.params.length, (names) => names);
  m.removeFunction(f.name);
  m.addFunctionImport(f.name, MODULE, short, binaryen.createType(f.params), f.results.length ? f.results[0] : none);
}

for (const f of imports) {
  const short = shortName(renamed++);
  relist(f.base, short, f.params.length, canonicalLayout(f.kinds));
  const returnsNumber = f.results.length === 1 && f.results[0] !== externref;
  const callee = `${f.name}$one`;
  m.removeFunction(f.name);
  m.addFunctionImport(callee, MODULE, short, canonical, returnsNumber ? f64 : externref);
  const refs = [];
  const nums = [];
  f.params.forEach((t, i) => {
    if (t === externref) refs.push(m.local.get(i, externref));
    else nums.push(t === i32 ? m.f64.convert_s.i32(m.local.get(i, i32)) : m.local.get(i, f64));
  });
  while (refs.length < E) refs.push(m.ref.null(externref));
  while (nums.length < N) nums.push(m.f64.const(0));
  let body = m.call(callee, [...refs, ...nums], returnsNumber ? f64 : externref);
  if (f.results.length === 0) body = m.drop(body);
  else if (f.results[0] === i32) body = m.i32.wrap(m.i64.trunc_s_sat.f64(body));
  m.addFunction(f.name, binaryen.createType(f.params), f.results.length ? f.results[0] : none, [], body);
}
// Validated as read back: a `ref.func` of a former import keeps the import's (inexact) type in
// memory, where a read gives it its function's.
const out = m.emitBinary();
const back = binaryen.readBinary(out);
back.setFeatures(features);
if (!back.validate()) fail('the rewritten .wasm does not validate');
writeFileSync(wasmPath, out);
writeFileSync(gluePath, glue);
