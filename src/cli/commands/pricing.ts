/** pricing, pricing update: the prices dollars are figured from. */
import { loadPricing, updatePricing } from '../../app/pricing';
import { modelPrice } from '../../domain/pricing';
import { isoDateValue, required } from '../validate';
import { command } from '../framework';
import { formatTable, printJson, printLine } from '../output';
import { UsageError } from '../../platform/errors';

/** A per-token price in nano-dollars as dollars per million tokens. */
const perMTok = (nano: number | null): string => (nano === null ? '—' : `$${trim((nano / 1000).toFixed(3))}`);
const trim = (s: string): string => s.replace(/\.?0+$/, '');

const update = command({
  name: 'update',
  summary: "Take the Claude models' prices from a LiteLLM model_prices_and_context_window.json (offline).",
  usage: '--from FILE [--taken DATE]',
  options: {
    from: { type: 'string', value: 'FILE', description: 'a copy of LiteLLM\'s model_prices_and_context_window.json (or of a sprint-budget table)' },
    taken: { type: 'string', value: 'DATE', description: 'the date the file was taken (default: its modification date)' },
  },
  details: [
    'Keeps the entries with litellm_provider "anthropic" in $XDG_CONFIG_HOME/sprint-budget/pricing.json',
    '(default ~/.config/sprint-budget/pricing.json). The newer table, by its date, wins over the shipped one.',
    '--json: {path, taken, models, source}.',
  ],
  run(ctx) {
    const from = required('--from', ctx.values.from, 'pricing update');
    if (ctx.values.taken !== undefined) isoDateValue('--taken', ctx.values.taken);
    const r = updatePricing(ctx.caller.env, from, ctx.values.taken);
    if (ctx.json) printJson(r);
    else printLine(`${r.models} Claude models priced as of ${r.taken} → ${r.path}`);
    return 0;
  },
});

export const pricing = command({
  name: 'pricing',
  summary: 'Show the prices dollars are figured from: per model, per million tokens, with the date they were taken.',
  usage: '[update --from FILE]',
  options: { model: { type: 'string', value: 'ID', description: 'only this model (as a transcript names it)' } },
  subcommands: [update],
  details: [
    'The plugin ships config/pricing.json (LiteLLM\'s fields for Claude models, with the date they were taken);',
    '`pricing update --from FILE` takes a newer copy offline. A model not in the table is "no price", never $0.',
    '--json: {source, taken, origin, models: {<id>: <LiteLLM entry>}}.',
  ],
  run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError(`pricing: unknown subcommand "${ctx.positionals[0]}" (see: sprint-budget pricing --help)`);
    const loaded = loadPricing(ctx.caller.env);
    if (!loaded) throw new UsageError('no pricing table found (the plugin ships config/pricing.json; take one: sprint-budget pricing update --from FILE)');
    const { table, origin } = loaded;
    const ids = Object.keys(table.models).filter((m) => ctx.values.model === undefined || m === ctx.values.model || modelPrice(table, ctx.values.model)?.key === m);
    if (ctx.json) {
      printJson({ source: table.source, taken: table.taken, origin, models: Object.fromEntries(ids.map((m) => [m, table.models[m]])) });
      return 0;
    }
    printLine(`Prices taken ${table.taken} · ${table.source}`);
    printLine(`From ${origin}; $ per million tokens; long: prompts over 200k tokens; fast: fast-mode multiple`);
    const rows = ids.map((m) => ({ m, p: modelPrice(table, m) }));
    const table2 = formatTable<(typeof rows)[number]>(
      [
        { header: 'Model', value: (r) => r.m },
        { header: 'Input', value: (r) => perMTok(r.p?.base.input ?? null), align: 'right' },
        { header: 'Output', value: (r) => perMTok(r.p?.base.output ?? null), align: 'right' },
        { header: 'Cache read', value: (r) => perMTok(r.p?.base.cacheRead ?? null), align: 'right' },
        { header: 'Write 5m', value: (r) => perMTok(r.p?.base.cacheWrite5m ?? null), align: 'right' },
        { header: 'Write 1h', value: (r) => perMTok(r.p?.base.cacheWrite1h ?? null), align: 'right' },
        { header: 'Long input/output', value: (r) => (r.p?.long ? `${perMTok(r.p.long.input)}/${perMTok(r.p.long.output)}` : '—'), align: 'right' },
        { header: 'Fast', value: (r) => (r.p?.fast ? `×${r.p.fast}` : '—'), align: 'right' },
      ],
      rows,
    );
    for (const line of table2) printLine(line);
    return 0;
  },
});
