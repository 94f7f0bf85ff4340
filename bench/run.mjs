// npm run bench: every benchmark in one run, so the figures share a machine state.
// BENCH_CORPUS_MB sets the ingest corpus size (default 300).
import { benchIngest } from './ingest.mjs';
import { benchHooks } from './hooks.mjs';

const only = process.argv[2];
const results = {};
if (!only || only === 'ingest') results.ingest = benchIngest();
if (!only || only === 'hooks') {
  console.log('');
  results.hooks = await benchHooks();
}
if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
