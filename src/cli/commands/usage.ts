/** ingest, tokens, attach: measured spend from Claude Code's transcripts. */
import { attachToSprint } from '../../app/attach';
import { sprintBreakdown } from '../../app/breakdown';
import { formatTokensExact, formatTokensShort } from '../../domain/tokens';
import { NotFoundError, UsageError } from '../../lib/errors';
import { getCursors } from '../../ledger/cursors';
import { sprintSpendRecords } from '../../ledger/usage';
import { type TranscriptRef, ingestTranscripts } from '../../usage/ingest';
import { ingestInterstat, interstatPath } from '../../usage/interstat';
import { allTranscripts, claudeConfigDir, findSessionTranscript, sessionTranscripts } from '../../usage/locate';
import { refreshSprintUsage } from '../../usage/refresh';
import { SPRINT_OPTION, budgetSummary, pickSprint, withLedger } from '../common';
import type { Command } from '../framework';
import { formatTable, printErr, printJson, printLine } from '../output';
import { progressBar } from '../progress';
import { optString, requireString } from '../validate';

function sinceValue(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms)) throw new UsageError(`--since: "${raw}" is not a date (e.g. 2026-11-01 or 2026-11-01T12:00:00Z)`);
  return ms;
}

export const ingest: Command = {
  name: 'ingest',
  summary: "Bring the ledger up to date with Claude Code's transcripts (only what was appended since last time).",
  usage: '[--config-dir DIR] [--since DATE | --session ID]',
  options: {
    'config-dir': { type: 'string', value: 'DIR', description: 'Claude Code config dir (default $CLAUDE_CONFIG_DIR or ~/.claude)' },
    since: { type: 'string', value: 'DATE', description: 'only transcripts modified since this date' },
    session: { type: 'string', value: 'ID', description: "only this session's transcript and its subagents'" },
  },
  details: [
    'Each API response is counted once (keyed on its message id), with the largest usage seen for it.',
    'interstat rows (<config dir>/interstat/metrics.db) fill in sessions whose transcripts are gone.',
    '--json: {files, bytes, responses, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens}',
    'over what this run read.',
  ],
  run(ctx) {
    const configDir = optString(ctx.values, 'config-dir') ?? claudeConfigDir(ctx.env);
    const since = sinceValue(optString(ctx.values, 'since'));
    const session = optString(ctx.values, 'session');
    if (session !== undefined && since !== undefined) throw new UsageError('ingest: --since and --session do not go together');
    let refs: TranscriptRef[];
    if (session === undefined) refs = allTranscripts(configDir, since);
    else {
      const main = findSessionTranscript(configDir, session);
      if (!main) throw new NotFoundError(`no transcript for session ${session} under ${configDir}`);
      refs = sessionTranscripts(session, main);
    }
    return withLedger(ctx, { create: true }, (l) => {
      const bar = progressBar('Reading transcripts');
      const r = ingestTranscripts(l, refs, { onProgress: bar, cursors: getCursors(l) });
      bar?.end();
      const interstat = session === undefined ? ingestInterstat(l, interstatPath(configDir)) : null;
      const { complete: _complete, ...totals } = r;
      if (ctx.json) {
        printJson(totals);
        return 0;
      }
      printLine(`Read ${formatTokensExact(r.files)} files (${(r.bytes / 1024 / 1024).toFixed(1)} MiB): ${formatTokensExact(r.responses)} responses`);
      printLine(
        `  input ${formatTokensExact(r.input_tokens)} · output ${formatTokensExact(r.output_tokens)} · cache read ${formatTokensExact(r.cache_read_input_tokens)} · cache write ${formatTokensExact(r.cache_creation_input_tokens)}`,
      );
      if (interstat) printLine(`  interstat: ${interstat.rows} filled runs${interstat.skipped ? `, ${interstat.skipped} unreadable` : ''}`);
      return 0;
    });
  },
};

function printRecords(records: ReturnType<typeof sprintSpendRecords>, json: boolean): number {
  if (json) {
    printJson(
      records.map((r) => ({
        key: r.key,
        at: new Date(r.ts).toISOString(),
        phase: r.atPhase,
        agent_type: r.agentType,
        agent_id: r.agentId,
        source: r.source,
        kind: r.kind,
        model: r.model,
        input: r.input,
        output: r.output,
        cache_read: r.cacheRead,
        cache_write: r.cacheWrite,
        origin: r.origin,
      })),
    );
    return 0;
  }
  const n = formatTokensExact;
  const table = formatTable<(typeof records)[number]>(
    [
      { header: 'Time', value: (r) => new Date(r.ts).toISOString().replace('T', ' ').slice(0, 19) },
      { header: 'Phase', value: (r) => r.atPhase },
      { header: 'Agent', value: (r) => r.agentType },
      { header: 'Input', value: (r) => n(r.input), align: 'right' },
      { header: 'Output', value: (r) => n(r.output), align: 'right' },
      { header: 'Cache read', value: (r) => n(r.cacheRead), align: 'right' },
      { header: 'Cache write', value: (r) => n(r.cacheWrite), align: 'right' },
      { header: 'Source', value: (r) => r.source },
      { header: 'Origin', value: (r) => r.origin },
    ],
    records,
  );
  for (const line of table) printLine(line);
  return 0;
}

export const tokens: Command = {
  name: 'tokens',
  summary: "A sprint's spend per phase and agent type: billing, input, output, cache read/write, with sources.",
  usage: '[<id>]',
  positionals: [{ name: 'id', description: 'sprint id (default: the active sprint)' }],
  options: {
    ...SPRINT_OPTION,
    records: { type: 'boolean', description: 'list every record behind the figures, with where it was read (<transcript>:<line>, hook, ...)' },
  },
  details: [
    'Billing tokens = input + output. Sources: transcript (Claude Code\'s own records), hook (a subagent\'s',
    'PostToolUse report, until its transcript is read), interstat, or what a `record` caller named.',
    'A phase with nothing measured shows an estimate, labelled as one; estimates never count as spend.',
  ],
  run(ctx) {
    return withLedger(ctx, {}, (l) => {
      const s = pickSprint(l, ctx, ctx.positionals[0]);
      refreshSprintUsage(l, s, { env: ctx.env });
      if (ctx.values.records === true) return printRecords(sprintSpendRecords(l, s.id, s.phases[0] as string), ctx.json);
      const b = sprintBreakdown(l, s);
      if (ctx.json) {
        printJson(b);
        return 0;
      }
      type Row = { phase: string; agent: string; billing: string; input: string; output: string; cr: string; cw: string; source: string };
      const rows: Row[] = [];
      const n = formatTokensExact;
      for (const p of b.phases) {
        const label = p.phase === b.phase ? `${p.phase} *` : p.phase;
        if (!p.measured) {
          if (p.status === 'pending') continue;
          const e = p.estimate;
          rows.push({ phase: label, agent: '—', billing: e ? `~${n(e.tokens)}` : '0', input: '', output: '', cr: '', cw: '', source: e ? `estimate (${e.basis === 'measured' ? `${e.runs} past runs` : 'default'})` : '' });
          continue;
        }
        p.agents.forEach((a, i) =>
          rows.push({
            phase: i === 0 ? label : '',
            agent: a.agent_type,
            billing: n(a.billing),
            input: n(a.input),
            output: n(a.output),
            cr: n(a.cache_read),
            cw: n(a.cache_write),
            source: a.sources.map((src) => `${src.source} (${src.records})`).join(', '),
          }),
        );
      }
      rows.push({ phase: 'Total', agent: '', billing: n(b.totals.billing), input: n(b.totals.input), output: n(b.totals.output), cr: n(b.totals.cache_read), cw: n(b.totals.cache_write), source: '' });
      printLine(`Sprint ${b.sprint} · ${budgetSummary(b)} · ${b.budget_state}`);
      const table = formatTable<Row>(
        [
          { header: 'Phase', value: (r) => r.phase },
          { header: 'Agent', value: (r) => r.agent },
          { header: 'Billing', value: (r) => r.billing, align: 'right' },
          { header: 'Input', value: (r) => r.input, align: 'right' },
          { header: 'Output', value: (r) => r.output, align: 'right' },
          { header: 'Cache read', value: (r) => r.cr, align: 'right' },
          { header: 'Cache write', value: (r) => r.cw, align: 'right' },
          { header: 'Source', value: (r) => r.source },
        ],
        rows,
      );
      for (const line of table) printLine(line);
      const pending = b.phases.filter((p) => p.status === 'pending' && p.estimate).reduce((t, p) => t + (p.estimate?.tokens ?? 0), 0);
      if (pending > 0) printLine(`Projected: ${formatTokensShort(b.projected_total)} (measured + ~${formatTokensShort(b.projected_total - b.tokens_spent)} estimated for phases with no data) · * current phase`);
      return 0;
    });
  },
};

export const attach: Command = {
  name: 'attach',
  summary: 'Attach a Claude Code session to a sprint: its responses count toward the sprint from now on.',
  usage: '--session ID [--sprint ID] [--transcript PATH]',
  options: {
    ...SPRINT_OPTION,
    session: { type: 'string', value: 'ID', description: 'Claude Code session id (default: $CLAUDE_CODE_SESSION_ID)' },
    transcript: { type: 'string', value: 'PATH', description: "the session's transcript (default: found under the config dir)" },
  },
  details: ['A session belongs to one sprint at a time: attaching it elsewhere ends its previous attachment.'],
  run(ctx) {
    const session = optString(ctx.values, 'session') ?? ctx.env.CLAUDE_CODE_SESSION_ID ?? requireString(ctx.values, 'session', 'attach');
    return withLedger(ctx, {}, (l) => {
      const s = pickSprint(l, ctx);
      const transcript = optString(ctx.values, 'transcript') ?? findSessionTranscript(claudeConfigDir(ctx.env), session, s.project);
      const a = attachToSprint(l, s.id, { sessionId: session, at: Date.now(), via: 'attach', transcriptPath: transcript });
      if (ctx.json) printJson({ sprint: s.id, session_id: a.sessionId, attached_at: new Date(a.attachedAt).toISOString(), transcript_path: a.transcriptPath });
      else printLine(`${s.id}: session ${session} attached${transcript ? '' : ' (transcript not found yet)'}`);
      if (!transcript) printErr(`note: no transcript for session ${session} under ${claudeConfigDir(ctx.env)} yet; it is looked up again on every read`);
      return 0;
    });
  },
};
