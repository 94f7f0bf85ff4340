// The transcript walk (WebAssembly) against what it replaces, decoding every line with JSON.parse,
// in one process over the realistic corpus's bytes (already read into memory, so no I/O is timed):
// the same responses, in how long. The walk's reason to exist (docs/performance.md).
// Run alone: node bench/walk.mjs
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { corpusOf } from './ingest.mjs';
import { median } from './measure.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The reader's sources, bundled for this process (the bench runs the sources, not a hook). */
async function reader() {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-walk-'));
  const file = join(dir, 'reader.mjs');
  await esbuild.build({
    stdin: {
      contents: "export { Walk } from './src/transcripts/walk'; export { scanLines, decodeResponse } from './src/transcripts/responses';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: file,
    logLevel: 'warning',
  });
  const mod = await import(pathToFileURL(file).href);
  rmSync(dir, { recursive: true, force: true });
  return mod;
}

export async function benchWalk({ log = console.log, rounds = 5 } = {}) {
  const { Walk, scanLines, decodeResponse } = await reader();
  const c = corpusOf('realistic', log);
  const buffers = c.files.map((f) => readFileSync(f));
  const bytes = buffers.reduce((n, b) => n + b.length, 0);
  const walk = new Walk();
  const byWalk = () => {
    const found = new Map();
    for (const b of buffers) scanLines(walk, b, b.length, 0, found);
    return found.size;
  };
  const byParse = () => {
    const found = new Map();
    for (const b of buffers) {
      let line = 0;
      for (const text of b.toString('utf8').split('\n')) {
        line++;
        if (!text) continue;
        const r = decodeResponse(text, line);
        if (r && !found.has(r.key)) found.set(r.key, r);
      }
    }
    return found.size;
  };
  const times = { walk: [], parse: [] };
  let responses = {};
  for (let i = 0; i < rounds; i++) {
    for (const [name, fn] of i % 2 === 0 ? [['walk', byWalk], ['parse', byParse]] : [['parse', byParse], ['walk', byWalk]]) {
      const t0 = performance.now();
      responses[name] = fn();
      times[name].push(performance.now() - t0);
    }
  }
  const walkMs = median(times.walk);
  const parseMs = median(times.parse);
  const mib = bytes / 1024 / 1024;
  log(`Finding the responses in ${mib.toFixed(0)} MiB of transcripts in memory (realistic corpus), median of ${rounds}, interleaved`);
  log(`  the WebAssembly walk   ${walkMs.toFixed(0)} ms   ${(mib / (walkMs / 1000)).toFixed(0)} MiB/s   ${responses.walk} responses`);
  log(`  JSON.parse every line  ${parseMs.toFixed(0)} ms   ${(mib / (parseMs / 1000)).toFixed(0)} MiB/s   ${responses.parse} responses`);
  if (responses.walk !== responses.parse) throw new Error('the walk and JSON.parse found different responses');
  return { corpus_bytes: bytes, walk_ms: walkMs, json_parse_ms: parseMs, speedup: parseMs / walkMs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchWalk();
