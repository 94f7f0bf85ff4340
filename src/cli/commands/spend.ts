/** ingest, tokens, attach: measured spend from Claude Code's transcripts. */
import { attachSessionTo, detachSessionFrom } from '../../app/attach';
import { readBreakdown, readSpendRecords } from '../../app/breakdown';
import { ingestHistory } from '../../app/history';
import { formatCostCell } from '../../domain/pricing';
import { plainText } from '../../domain/text';
import { formatTokensExact, formatTokensShort } from '../../domain/tokens';
import { UsageError } from '../../platform/errors';
import { claudeConfigDir } from '../../transcripts/paths';
import { ID_POSITIONAL, SPRINT_OPTION, budgetSummary, unpricedLines } from '../common';
import { type OptionSpec, command } from '../framework';
import { formatTable, printErr, printJson, printLine } from '../output';
import { progressBar } from '../progress';
import { isoDateValue, required, sessionIdValue } from '../validate';

export const ingest = command({
  name: 'ingest',
  summary: "Bring the ledger up to date with Claude Code's transcripts (only what was appended since last time).",
  usage: '[--config-dir DIR] [--since DATE | --session ID]',
  options: {
    'config-dir': { type: 'string', value: 'DIR', description: 'Claude Code config dir (default $CLAUDE_CONFIG_DIR or ~/.claude)' },
    since: { type: 'string', value: 'DATE', description: 'only transcripts modified since this ISO date or date-time (UTC unless a zone is given)' },
    session: { type: 'string', value: 'ID', description: "only this session's transcript and its subagents'" },
  },
  details: [
    'Each API response is counted once, keyed on its message id together with its request id (requestId,',
    'or requestRef in Claude Code 2.1.332; the message id alone when a line names no request), with the',
    'largest usage seen on any of its lines.',
    'interstat rows (<config dir>/interstat/metrics.db) fill in sessions whose transcripts are gone.',
    '--json: {files, bytes, responses, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens}',
    'over what this run read, and unread: [{path, line, reason}] for what it could not read (line null: the whole file,',
    'tried again on every read). Each is also one line on stderr.',
  ],
  run(ctx) {
    const v = ctx.values;
    const configDir = v['config-dir'] ?? claudeConfigDir(ctx.caller.env);
    const since = isoDateValue('--since', v.since);
    if (v.session !== undefined && since !== undefined) throw new UsageError('ingest: --since and --session do not go together');
    const session = v.session === undefined ? undefined : sessionIdValue(v.session);
    const bar = progressBar('Reading transcripts');
    const { totals: r, interstat } = ingestHistory(ctx.caller, { configDir, since, session, onProgress: bar });
    bar?.end();
    for (const u of r.unread) printErr(`skipped ${u.line === null ? u.path : `${u.path}:${u.line}`}: ${u.reason}`);
    if (ctx.json) {
      printJson(r);
      return 0;
    }
    printLine(`Read ${formatTokensExact(r.files)} files (${(r.bytes / 1024 / 1024).toFixed(1)} MiB): ${formatTokensExact(r.responses)} responses`);
    printLine(
      `  input ${formatTokensExact(r.input_tokens)} · output ${formatTokensExact(r.output_tokens)} · cache read ${formatTokensExact(r.cache_read_input_tokens)} · cache write ${formatTokensExact(r.cache_creation_input_tokens)}`,
    );
    if (interstat) printLine(`  interstat: ${interstat.rows} filled runs${interstat.skipped ? `, ${interstat.skipped} unreadable` : ''}`);
    return 0;
  },
});

function printRecords(records: ReturnType<typeof readSpendRecords>, json: boolean): number {
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
        total_only: r.totalOnly ?? 0,
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
      // A total is shown as one: its input and output are not known, so they are not written as 0.
      { header: 'Input', value: (r) => (r.totalOnly ? '—' : n(r.input)), align: 'right' },
      { header: 'Output', value: (r) => (r.totalOnly ? '—' : n(r.output)), align: 'right' },
      { header: 'Total', value: (r) => (r.totalOnly ? n(r.totalOnly) : ''), align: 'right' },
      { header: 'Cache read', value: (r) => n(r.cacheRead), align: 'right' },
      { header: 'Cache write', value: (r) => n(r.cacheWrite), align: 'right' },
      { header: 'Source', value: (r) => r.source },
      { header: 'Origin', value: (r) => plainText(r.origin) },
    ],
    records,
  );
  for (const line of table) printLine(line);
  return 0;
}

export const tokens = command({
  name: 'tokens',
  summary: "A sprint's spend per phase and agent type: billing, input, output, cache read/write, with sources.",
  usage: '[<id>]',
  positionals: [ID_POSITIONAL],
  options: {
    ...SPRINT_OPTION,
    records: { type: 'boolean', description: 'list every record behind the figures, with where it was read (<transcript>:<line>, hook, ...)' },
  },
  details: [
    'Billing tokens = input + output. Sources: transcript (Claude Code\'s own records), hook (a subagent\'s',
    'PostToolUse report, until its transcript is read), interstat, or what a `record` caller named.',
    'A phase still to run with nothing measured shows its estimate from the forecast (as in `state`),',
    'labelled as one; estimates never count as spend.',
    'Dollars: each record priced by its own model (sprint-budget pricing); a model with no price is',
    '"no price" and listed, never $0. Budgets stay in billing tokens.',
  ],
  run(ctx) {
    const id = ctx.positionals[0] ?? ctx.values.sprint;
    if (ctx.values.records === true) return printRecords(readSpendRecords(ctx.caller, id), ctx.json);
    const b = readBreakdown(ctx.caller, id);
    if (ctx.json) {
      printJson(b);
      return 0;
    }
    type Row = { phase: string; agent: string; billing: string; usd: string; input: string; output: string; cr: string; cw: string; source: string };
    const rows: Row[] = [];
    const n = formatTokensExact;
    for (const p of b.phases) {
      const label = p.phase === b.phase ? `${p.phase} *` : p.phase;
      if (!p.measured) {
        if (p.status === 'pending') continue;
        const e = p.estimate;
        rows.push({ phase: label, agent: '—', billing: e ? `~${n(e.tokens)}` : '0', usd: '', input: '', output: '', cr: '', cw: '', source: e ? `estimate (${e.basis === 'measured' ? `${e.runs} past runs` : 'default'})` : '' });
        continue;
      }
      p.agents.forEach((a, i) =>
        rows.push({
          phase: i === 0 ? label : '',
          agent: a.agent_type,
          billing: n(a.billing),
          usd: formatCostCell(a),
          input: n(a.input),
          output: n(a.output),
          cr: n(a.cache_read),
          cw: n(a.cache_write),
          source: a.sources.map((src) => `${src.source} (${src.records}${src.total_only > 0 ? `, ${n(src.total_only)} as a total` : ''})`).join(', '),
        }),
      );
    }
    rows.push({ phase: 'Total', agent: '', billing: n(b.totals.billing), usd: formatCostCell(b.totals), input: n(b.totals.input), output: n(b.totals.output), cr: n(b.totals.cache_read), cw: n(b.totals.cache_write), source: '' });
    printLine(`Sprint ${b.sprint} · ${budgetSummary(b)} · ${b.budget_state}`);
    const table = formatTable<Row>(
      [
        { header: 'Phase', value: (r) => r.phase },
        { header: 'Agent', value: (r) => r.agent },
        { header: 'Billing', value: (r) => r.billing, align: 'right' },
        { header: 'Dollars', value: (r) => r.usd, align: 'right' },
        { header: 'Input', value: (r) => r.input, align: 'right' },
        { header: 'Output', value: (r) => r.output, align: 'right' },
        { header: 'Cache read', value: (r) => r.cr, align: 'right' },
        { header: 'Cache write', value: (r) => r.cw, align: 'right' },
        { header: 'Source', value: (r) => r.source },
      ],
      rows,
    );
    for (const line of table) printLine(line);
    if (b.models.length > 0) {
      printLine('By model');
      const models = formatTable<(typeof b.models)[number]>(
        [
          { header: 'Model', value: (m) => `${m.model ?? 'unknown model'}${m.fast ? ' (fast)' : ''}` },
          { header: 'Billing', value: (m) => n(m.billing), align: 'right' },
          { header: 'Dollars', value: (m) => formatCostCell(m), align: 'right' },
          { header: 'Cache read', value: (m) => n(m.cache_read), align: 'right' },
          { header: 'Write 5m', value: (m) => n(m.cache_write - m.cache_write_1h), align: 'right' },
          { header: 'Write 1h', value: (m) => n(m.cache_write_1h), align: 'right' },
        ],
        b.models,
      );
      for (const line of models) printLine(`  ${line}`);
    }
    for (const line of unpricedLines(b.totals.unpriced, b.pricing)) printLine(line);
    for (const st of b.stages ?? []) {
      printLine(`Stage ${st.stage}: ${formatTokensExact(st.spent)} / ${formatTokensExact(st.budget as number)} billing tokens${st.depleted ? ' · depleted' : ''} (${st.phases.join(', ')})`);
    }
    const ahead = b.projected_total - b.tokens_spent;
    if (ahead > 0) printLine(`Projected: ${formatTokensShort(b.projected_total)} (measured + ~${formatTokensShort(ahead)} forecast for the phases still to run) · * current phase`);
    return 0;
  },
});

const SESSION_OPTION = {
  session: { type: 'string', value: 'ID', description: 'Claude Code session id (default: $CLAUDE_CODE_SESSION_ID)' },
} as const satisfies Record<string, OptionSpec>;

/** --session, else the Claude Code session the command runs in. */
function sessionValue(flag: string | undefined, env: NodeJS.ProcessEnv, command: string): string {
  return sessionIdValue(flag ?? env.CLAUDE_CODE_SESSION_ID ?? required('--session', flag, command));
}

export const attach = command({
  name: 'attach',
  summary: 'Attach a Claude Code session to a sprint: its responses count toward the sprint from now on.',
  usage: '--session ID [--sprint ID] [--transcript PATH]',
  options: {
    ...SPRINT_OPTION,
    ...SESSION_OPTION,
    transcript: { type: 'string', value: 'PATH', description: "the session's transcript (default: found under the config dir)" },
  },
  details: [
    'A session belongs to one sprint at a time: attaching it elsewhere ends its previous attachment.',
    'A stopped or done sprint takes no session. Inside Claude Code, `sprint-budget resume <id>` does the same for this session.',
  ],
  run(ctx) {
    const v = ctx.values;
    const session = sessionValue(v.session, ctx.caller.env, 'attach');
    const { sprint, attachment: a, previous, configDir } = attachSessionTo(ctx.caller, { sprint: v.sprint, session, transcript: v.transcript });
    if (ctx.json) {
      printJson({ sprint: sprint.id, session_id: a.sessionId, attached_at: new Date(a.attachedAt).toISOString(), transcript_path: a.transcriptPath, previous });
    } else {
      printLine(`${sprint.id}: session ${plainText(session)} attached${previous ? ` (moved from ${previous})` : ''}${a.transcriptPath ? '' : ' (transcript not found yet)'}`);
    }
    if (!a.transcriptPath) printErr(`note: no transcript for session ${plainText(session)} under ${configDir} yet; it is looked up again on every read`);
    return 0;
  },
});

export const detach = command({
  name: 'detach',
  summary: 'Detach a Claude Code session from its sprint: what it spends from now on counts toward no sprint.',
  usage: '[--session ID]',
  options: { ...SESSION_OPTION },
  details: [
    'What the session spent while attached still counts. A detached session stays detached: the hooks',
    'never attach it again on their own; `resume`, `attach` or `create` do.',
    'Exit 1 when the session is attached to no sprint. --json: {"sprint", "session_id", "attached_at", "detached_at"}.',
  ],
  run(ctx) {
    const session = sessionValue(ctx.values.session, ctx.caller.env, 'detach');
    const a = detachSessionFrom(ctx.caller, session);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    if (ctx.json) printJson({ sprint: a.sprintId, session_id: a.sessionId, attached_at: iso(a.attachedAt), detached_at: iso(a.detachedAt) });
    else printLine(`${a.sprintId}: session ${plainText(a.sessionId)} detached`);
    return 0;
  },
});
