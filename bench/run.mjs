// npm run bench: every benchmark in one run, so the figures share a machine state.
// `node bench/run.mjs ingest|walk|hooks|statusline|session` runs one part; --json prints the results as JSON too.
// BENCH_CORPUS_MB sets the realistic ingest corpus's size (default 300), BENCH_DENSE_MB the dense one's
// (336), BENCH_HOOK_RUNS the runs per hook (21), BENCH_SESSION_ROUNDS the sessions of each kind (5).
import { benchHooks } from './hooks.mjs';
import { benchIngest } from './ingest.mjs';
import { benchSession } from './session.mjs';
import { benchStatusline } from './statusline.mjs';
import { benchWalk } from './walk.mjs';

const PARTS = { ingest: benchIngest, walk: benchWalk, hooks: benchHooks, statusline: benchStatusline, session: benchSession };
const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (only && !PARTS[only]) {
  console.error(`usage: node bench/run.mjs [${Object.keys(PARTS).join('|')}] [--json]`);
  process.exit(2);
}
const results = {};
for (const [name, bench] of Object.entries(PARTS)) {
  if (only && only !== name) continue;
  if (Object.keys(results).length > 0) console.log('');
  results[name] = await bench();
}
if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
