/** A sprint's report as people read it: block-character charts for the terminal, one self-contained HTML page. */
import type { Report } from '../app/report';
import { type BarItem, type Mark, escapeXml, hbar, shortNumber, svgBars, svgTimeline, terminalTimeChart, timeScale } from '../domain/charts';
import { formatCostCell } from '../domain/pricing';
import { formatTokensExact } from '../domain/tokens';
import { budgetSummary, forecastText, unpricedLines } from './common';
import { formatTable } from './output';

/** How each decision (and each advance) is marked on the timeline. */
export const MARKS: Record<string, string> = {
  advance: '|',
  override: 'O',
  set_budget: 'B',
  skip_gate: 'G',
  stop: 'S',
  dispatch_denied: 'D',
  dispatch_asked: '?',
  dispatch_approved: 'A',
};

const MARK_NAMES: Record<string, string> = {
  advance: 'phase advance',
  override: 'override',
  set_budget: 'budget change',
  skip_gate: 'skipped gate',
  stop: 'stop',
  dispatch_denied: 'dispatch denied (pause)',
  dispatch_asked: 'dispatch put to the user (pause)',
  dispatch_approved: 'dispatch approved',
};

function marks(r: Report): Mark[] {
  return r.events
    .filter((e) => e.kind in MARKS)
    .map((e) => ({
      at: Date.parse(e.at),
      symbol: MARKS[e.kind] as string,
      label: `${MARK_NAMES[e.kind]}${e.kind === 'advance' ? ` ${e.from_phase} → ${e.to_phase}` : ''} · ${e.at.slice(0, 19).replace('T', ' ')}${e.reason ? ` · "${e.reason}"` : ''}`,
    }));
}

function series(r: Report) {
  const points = r.spend_over_time.map((p) => ({ at: Date.parse(p.at), value: p.spent }));
  const budget = r.budget_over_time.map((b) => ({ at: Date.parse(b.at), value: b.budget }));
  const m = marks(r);
  return { points, budget, marks: m, scale: timeScale(points, budget, m, Date.parse(r.generated_at)) };
}

function phaseItems(r: Report): BarItem[] {
  return r.breakdown.phases
    .filter((p) => p.measured || p.status !== 'pending' || (r.forecast.phases.find((f) => f.phase === p.phase)?.adds.p50 ?? 0) > 0)
    .map((p) => {
      if (p.measured) return { label: p.phase, value: p.billing, note: formatCostCell(p), kind: p.status === 'current' ? 'current' : 'measured' };
      const f = r.forecast.phases.find((x) => x.phase === p.phase);
      return { label: p.phase, value: f?.adds.p50 ?? 0, note: 'projected (not spend)', kind: 'estimate' };
    });
}

function agentItems(r: Report): BarItem[] {
  const by = new Map<string, { billing: number; agents: typeof r.breakdown.phases[number]['agents'] }>();
  for (const p of r.breakdown.phases) {
    for (const a of p.agents) {
      const had = by.get(a.agent_type) ?? { billing: 0, agents: [] };
      had.billing += a.billing;
      had.agents.push(a);
      by.set(a.agent_type, had);
    }
  }
  return [...by.entries()]
    .sort((a, b) => b[1].billing - a[1].billing)
    .map(([agent, v]) => {
      const costs = r.breakdown.costs.filter((c) => c.agent_type === agent);
      const usd = costs.reduce((n, c) => n + (c.cost_usd ?? 0), 0);
      const unpriced = costs.flatMap((c) => c.unpriced);
      return { label: agent, value: v.billing, note: formatCostCell({ cost_usd: unpriced.length > 0 && usd === 0 ? null : usd, unpriced }), kind: 'measured' };
    });
}

/** `sprint-budget report` in the terminal. */
export function reportLines(r: Report, width = 60): string[] {
  const b = r.breakdown;
  const lines = [`Sprint ${r.sprint.id} · ${r.sprint.title} · ${r.sprint.status} · phase ${r.sprint.phase}`];
  lines.push(`  Spent     ${budgetSummary(b)} · ${b.budget_state}`);
  lines.push(`  Dollars   ${formatCostCell(b.totals)} (information; the budget is in billing tokens)`);
  lines.push(`  Forecast  ${forecastText(r.forecast)}`);
  const bars = (title: string, items: BarItem[]) => {
    lines.push('', title);
    const w = Math.max(...items.map((i) => i.label.length), 4);
    const max = Math.max(1, ...items.map((i) => i.value));
    for (const i of items) lines.push(`  ${i.label.padEnd(w)}  ${(i.kind === 'estimate' ? hbar(i.value, max, 30).replace(/./g, '░') : hbar(i.value, max, 30)).padEnd(30)}  ${formatTokensExact(i.value).padStart(11)}  ${i.note}`);
  };
  bars('Per phase (░ projected, not spend)', phaseItems(r));
  const agents = agentItems(r);
  if (agents.length > 0) bars('Per agent type', agents);
  const s = series(r);
  lines.push('', `Spend over time (billing tokens; ─ budget)`);
  lines.push(...terminalTimeChart(s.points, s.budget, s.marks, s.scale, width, 10).map((l) => `  ${l}`));
  const used = [...new Set(s.marks.map((m) => m.symbol))];
  if (used.length > 0) lines.push(`  ${Object.entries(MARKS).filter(([, sym]) => used.includes(sym)).map(([k, sym]) => `${sym} ${MARK_NAMES[k]}`).join(' · ')}`);
  const decisions = r.events.filter((e) => e.decision);
  lines.push('', decisions.length === 0 ? 'Decisions: none' : 'Decisions');
  for (const e of decisions) lines.push(`  ${e.at.slice(0, 19).replace('T', ' ')}  ${MARKS[e.kind] ?? ' '} ${e.kind.padEnd(17)} ${e.from_phase ?? ''}${e.reason ? ` · "${e.reason}"` : ''}`);
  if (b.costs.length > 0) {
    lines.push('', 'Per phase × agent type × model');
    const table = formatTable<(typeof b.costs)[number]>(
      [
        { header: 'Phase', value: (c) => c.phase },
        { header: 'Agent', value: (c) => c.agent_type },
        { header: 'Model', value: (c) => `${c.model ?? 'unknown model'}${c.fast ? ' (fast)' : ''}` },
        { header: 'Billing', value: (c) => formatTokensExact(c.billing), align: 'right' },
        { header: 'Dollars', value: (c) => formatCostCell(c), align: 'right' },
      ],
      b.costs,
    );
    lines.push(...table.map((l) => `  ${l}`));
  }
  lines.push(...unpricedLines(b.totals.unpriced, b.pricing));
  return lines;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:820px;color:#1d1d1f;padding:0 16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
.sub{color:#555}.figures{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:12px 0}
.figures dt{color:#555}.figures dd{margin:0}
.state-ok{color:#1a7f37}.state-warning{color:#9a6700}.state-exceeded{color:#cf222e}
svg text{font:12px system-ui,sans-serif;fill:#333}
.bar{fill:#4f7cd9}.bar.current{fill:#2f5fc4}.bar.estimate{fill:none;stroke:#4f7cd9;stroke-dasharray:4 3}
.spend{stroke:#2f5fc4;stroke-width:2}.budget{stroke:#cf222e;stroke-width:1.5;stroke-dasharray:6 4}
.tick line{stroke:#e5e5e5}.axis{stroke:#888}.mark line{stroke:#999;stroke-dasharray:2 3}.mark circle{fill:#fff;stroke:#666}
.mark text{font-size:10px}
table{border-collapse:collapse;width:100%;margin:4px 0}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:12px}`;

/** One self-contained HTML page: inline CSS and SVG, no script, nothing fetched. */
export function reportHtml(r: Report): string {
  const b = r.breakdown;
  const s = series(r);
  const e = escapeXml;
  const num = (n: number) => n.toLocaleString('en-US');
  const pct = b.token_budget === null ? '' : ` (${Math.floor((b.tokens_spent * 100) / b.token_budget)}%)`;
  const costRows = b.costs
    .map(
      (c) =>
        `<tr data-phase="${e(c.phase)}" data-agent="${e(c.agent_type)}" data-model="${e(c.model ?? '')}"><td>${e(c.phase)}</td><td>${e(c.agent_type)}</td><td>${e(c.model ?? 'unknown model')}${c.fast ? ' (fast)' : ''}</td><td class="num billing">${num(c.billing)}</td><td class="num">${num(c.input)}</td><td class="num">${num(c.output)}</td><td class="num">${num(c.cache_read)}</td><td class="num">${num(c.cache_write)}</td><td class="num dollars">${e(formatCostCell(c))}</td></tr>`,
    )
    .join('');
  const history = r.events
    .map((ev) => `<tr class="${ev.decision ? 'decision' : ''}"><td>${e(ev.at.slice(0, 19).replace('T', ' '))}</td><td>${e(MARKS[ev.kind] ?? '')} ${e(ev.kind)}</td><td>${e([ev.from_phase, ev.to_phase].filter(Boolean).join(' → '))}</td><td>${e(ev.actor)}</td><td>${e(ev.reason ?? '')}</td></tr>`)
    .join('');
  const unpriced = unpricedLines(b.totals.unpriced, b.pricing);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(`Sprint ${r.sprint.id} · ${r.sprint.title}`)}</title><style>${CSS}</style></head>
<body>
<h1>Sprint ${e(r.sprint.id)} · ${e(r.sprint.title)}</h1>
<div class="sub">${e(r.sprint.status)} · phase ${e(r.sprint.phase)} · complexity ${r.sprint.complexity} · report of ${e(r.generated_at.slice(0, 16).replace('T', ' '))} UTC</div>
<dl class="figures">
<dt>Spent</dt><dd id="spent" data-value="${b.tokens_spent}">${num(b.tokens_spent)} billing tokens${b.token_budget === null ? ' (no budget)' : ` of ${num(b.token_budget)}${pct}`} · <span class="state-${e(b.budget_state)}">${e(b.budget_state)}</span></dd>
<dt>Dollars</dt><dd id="dollars">${e(formatCostCell(b.totals))} <span class="note">information; the budget is in billing tokens${b.pricing ? ` · prices taken ${e(b.pricing.taken)}` : ''}</span></dd>
<dt>Forecast</dt><dd id="forecast" data-p50="${r.forecast.projected_p50}" data-p90="${r.forecast.projected_p90}">${e(forecastText(r.forecast))}</dd>
</dl>
${unpriced.map((l) => `<p class="note">${e(l)}</p>`).join('')}
<h2>Per phase</h2>
${svgBars(phaseItems(r), { id: 'phases', title: 'Billing tokens per phase' })}
<p class="note">Dashed: a projection for a phase still to run, never spend.</p>
<h2>Per agent type</h2>
${svgBars(agentItems(r), { id: 'agents', title: 'Billing tokens per agent type' })}
<h2>Spend over time</h2>
${svgTimeline(s.points, s.budget, s.marks, s.scale, { id: 'timeline', title: 'Cumulative billing tokens over time, with the budget line and the decisions' })}
<p class="note">Solid: billing tokens spent so far. Dashed red: the budget. Marks: ${Object.entries(MARKS).map(([k, sym]) => `${e(sym)} ${e(MARK_NAMES[k] as string)}`).join(' · ')}.</p>
<h2>Per phase × agent type × model</h2>
<table id="costs"><thead><tr><th>Phase</th><th>Agent type</th><th>Model</th><th class="num">Billing</th><th class="num">Input</th><th class="num">Output</th><th class="num">Cache read</th><th class="num">Cache write</th><th class="num">Dollars</th></tr></thead>
<tbody>${costRows}</tbody>
<tfoot><tr><th colspan="3">Total</th><th class="num" id="total-billing">${num(b.totals.billing)}</th><th class="num">${num(b.totals.input)}</th><th class="num">${num(b.totals.output)}</th><th class="num">${num(b.totals.cache_read)}</th><th class="num">${num(b.totals.cache_write)}</th><th class="num" id="total-dollars">${e(formatCostCell(b.totals))}</th></tr></tfoot></table>
<h2>History</h2>
<table id="history"><thead><tr><th>When (UTC)</th><th>What</th><th>Phases</th><th>Who</th><th>Why</th></tr></thead><tbody>${history}</tbody></table>
<p class="note">sprint-budget ${e(shortNumber(b.tokens_spent))} billing tokens · every figure traces to its records: sprint-budget tokens --records</p>
</body></html>
`;
}
