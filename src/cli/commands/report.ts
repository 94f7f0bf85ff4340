/** report: a sprint's spend as pictures, in the terminal, as one HTML file, or as JSON. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readReport } from '../../app/report';
import { ID_POSITIONAL, SPRINT_OPTION } from '../common';
import { command } from '../framework';
import { printJson, printLine } from '../output';
import { reportHtml, reportLines } from '../report-render';

export const report = command({
  name: 'report',
  summary: "A sprint's report: per-phase and per-agent-type bars, spend over time against the budget, decisions, dollars.",
  usage: '[<id>] [--html FILE]',
  positionals: [ID_POSITIONAL],
  options: {
    ...SPRINT_OPTION,
    html: { type: 'string', value: 'FILE', description: 'write one self-contained HTML file (inline SVG, no network) instead' },
  },
  details: [
    'Also: the phase × agent type × model table with billing tokens and dollars, and the sprint\'s history.',
    'Projections (dashed, ░) are never spend. --json gives the same data: {sprint, generated_at, breakdown,',
    '  forecast, spend_over_time, budget_over_time, events}.',
  ],
  run(ctx) {
    const r = readReport(ctx.caller, ctx.positionals[0] ?? ctx.values.sprint);
    if (ctx.values.html !== undefined) {
      const path = resolve(ctx.caller.cwd, ctx.values.html);
      writeFileSync(path, reportHtml(r));
      if (ctx.json) printJson({ html: path, sprint: r.sprint.id });
      else printLine(`Report of ${r.sprint.id} written to ${path}`);
      return 0;
    }
    if (ctx.json) printJson(r);
    else for (const line of reportLines(r)) printLine(line);
    return 0;
  },
});
