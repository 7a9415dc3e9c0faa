// node scripts/short-imports.mjs DIR: gives the functions a .wasm imports from its wasm-bindgen
// glue short names, in DIR/librato_wasm_bg.wasm and DIR/librato_wasm.js alike.
// Why: wasm-bindgen names each import with a 16-hex-digit hash (`__wbg_body_30a52566718a2a78`),
// once in the .wasm and once in the glue. Random hex does not compress: 44 imports cost the
// metrics entry ~0.9 KB gzipped, for names nothing but the two files ever reads.
// The import's module name stays `./librato_wasm_bg.js` (a bundler that resolves a .wasm's
// imports as ES modules would look for it).
// Runs after wasm-opt and scripts/one-signature.mjs (which gives each glue function as many
// declared parameters as its import's signature).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MODULE = './librato_wasm_bg.js';
const dir = process.argv[2];
const wasmPath = join(dir, 'librato_wasm_bg.wasm');
const gluePath = join(dir, 'librato_wasm.js');
const wasm = readFileSync(wasmPath);
let glue = readFileSync(gluePath, 'utf8');

const fail = (what) => {
  console.error(`short-imports: ${what}`);
  process.exit(1);
};

// LEB128 unsigned: [value, next offset].
const leb = (buf, at) => {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
};
const lebBytes = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
};
const name = (buf, at) => {
  const [len, start] = leb(buf, at);
  return [buf.toString('utf8', start, start + len), start + len];
};
const nameBytes = (s) => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([lebBytes(b.length), b]);
};
// The length of an import's description after its kind byte.
const descEnd = (buf, kind, at) => {
  const limits = (p) => {
    const flags = buf[p++];
    [, p] = leb(buf, p);
    if (flags & 1) [, p] = leb(buf, p);
    return p;
  };
  switch (kind) {
    case 0: return leb(buf, at)[1]; // function: type index
    case 1: return limits(at + 1); // table: reference type, limits
    case 2: return limits(at); // memory: limits
    case 3: return at + 2; // global: value type, mutability
    case 4: return leb(buf, at + 1)[1]; // tag: attribute, type index
    default: return fail(`unknown import kind ${kind}`);
  }
};

// Short names in import order: a..z, A..Z, then two letters.
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const shortName = (i) => (i < LETTERS.length ? LETTERS[i] : shortName(Math.floor(i / LETTERS.length) - 1) + LETTERS[i % LETTERS.length]);

if (wasm.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a .wasm`);
const parts = [wasm.subarray(0, 8)];
let at = 8;
let renamed = 0;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, body] = leb(wasm, at + 1);
  const end = body + size;
  if (id !== 2) {
    parts.push(wasm.subarray(at, end));
    at = end;
    continue;
  }
  let [count, p] = leb(wasm, body);
  const entries = [lebBytes(count)];
  for (let i = 0; i < count; i++) {
    const [module, afterModule] = name(wasm, p);
    const [field, afterField] = name(wasm, afterModule);
    const kind = wasm[afterField];
    const next = descEnd(wasm, kind, afterField + 1);
    let newField = field;
    if (module === MODULE && kind === 0) {
      newField = shortName(renamed++);
      // The glue names each import once, as a key of its imports object: exactly one
      // `field:` there, or this script no longer knows the glue's shape and stops the build.
      const key = new RegExp(`(?<![\\w$])${field.replace(/\$/g, '\\$')}(?=:)`, 'g');
      const found = glue.match(key)?.length ?? 0;
      if (found !== 1) fail(`${field}: ${found} keys in ${gluePath}, expected 1`);
      glue = glue.replace(key, newField);
    }
    entries.push(nameBytes(module), nameBytes(newField), wasm.subarray(afterField, next));
    p = next;
  }
  if (p !== end) fail('import section length mismatch');
  const section = Buffer.concat(entries);
  parts.push(Buffer.from([2]), lebBytes(section.length), section);
  at = end;
}

writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(gluePath, glue);
