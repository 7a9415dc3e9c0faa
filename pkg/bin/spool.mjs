// execd's spool: every pending message on disk (written to a temporary name, then renamed, so a
// file is whole or absent) until the API acknowledged it. File names are sequence numbers,
// never anything from the config. A file that is not a message is set aside in corrupt/.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isWhole, itemCount } from './message.mjs';

export class Spool {
  #dir;
  #seq;

  constructor(dir) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
    // After the files a killed process left, so the order of arrival is kept.
    const last = readdirSync(dir).map((f) => parseInt(f, 10)).filter(Number.isFinite);
    this.#seq = Math.max(Date.now() * 1000, ...last.map((n) => n + 1));
  }

  /** The messages left by an earlier process, oldest first; unreadable ones set aside. */
  load(warn) {
    const out = [];
    for (const f of readdirSync(this.#dir).sort()) {
      const path = join(this.#dir, f);
      if (f.endsWith('.tmp')) { rmSync(path, { force: true }); continue; }
      if (!f.endsWith('.msg')) continue;
      let text;
      try { text = readFileSync(path, 'utf8'); } catch (e) { warn(`spool file ${f} cannot be read (${e.code ?? e.message}); left in place`); continue; }
      if (!isWhole(text)) {
        this.setAside(f, warn, itemCount(text) >= 0 ? 'it holds fewer gauges than its header says' : 'it is not a librato-wasm message');
        continue;
      }
      out.push({ file: f, text, count: itemCount(text) });
    }
    return out;
  }

  /** Writes a message; returns its file name. */
  write(text) {
    const name = `${String(this.#seq++).padStart(20, '0')}.msg`;
    const tmp = join(this.#dir, `${name}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(this.#dir, name));
    return name;
  }

  remove(name) {
    rmSync(join(this.#dir, name), { force: true });
  }

  setAside(name, warn, why) {
    const corrupt = join(this.#dir, 'corrupt');
    mkdirSync(corrupt, { recursive: true });
    try { renameSync(join(this.#dir, name), join(corrupt, name)); } catch { /* already gone */ }
    warn(`spool file ${name} set aside in corrupt/: ${why}`);
  }
}
