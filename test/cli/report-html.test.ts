/**
 * `report --html`: the file is rendered in headless Chromium (Debian's `chromium`, started here) and
 * measured where it is laid out: the charts are drawn (boxes of non-zero size, one bar per phase and
 * agent type, the spend line, the budget line, the decision marks), and the numbers on the page are
 * the ledger's.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runProcess, tempProject } from '../helpers/cli';

const CHROMIUM = ['chromium', 'chromium-browser'].find((c) => runProcess(c, ['--version']).code === 0);

/** Runs in the page (a copy of the report given this script): what was laid out, as JSON in #measured. */
const MEASURE = `
<script>
addEventListener('load', () => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { w: Math.round(r.width), h: Math.round(r.height) }; };
  const bars = (id) => [...document.querySelectorAll('#' + id + ' g.row')].map((g) => ({
    label: g.dataset.label, value: Number(g.dataset.value), w: g.querySelector('rect').getBBox().width,
  }));
  const out = {
    charts: [...document.querySelectorAll('svg.chart')].map((s) => ({ id: s.id, ...box(s) })),
    phases: bars('phases'),
    agents: bars('agents'),
    spendPoints: document.querySelector('#timeline-spend').points.length,
    spendLength: document.querySelector('#timeline-spend').getTotalLength(),
    budgetLines: [...document.querySelectorAll('#timeline line.budget')].map((l) => l.getBBox().width),
    marks: [...document.querySelectorAll('#timeline g.mark')].map((m) => m.querySelector('title').textContent),
    costs: [...document.querySelectorAll('#costs tbody tr')].map((tr) => ({ ...tr.dataset, cells: [...tr.cells].map((c) => c.textContent) })),
    total: document.querySelector('#total-billing').textContent,
    totalDollars: document.querySelector('#total-dollars').textContent,
    spent: document.querySelector('#spent').dataset.value,
    history: document.querySelectorAll('#history tbody tr').length,
  };
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify(out);
  document.body.append(pre);
});
</script>`;

function render(html: string): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
  const page = join(dir, 'measure.html');
  // The copy drops the report's Content-Security-Policy so that the measuring script may run; the report has no script of its own.
  writeFileSync(page, html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '').replace('</body>', `${MEASURE}</body>`));
  const r = runProcess(
    CHROMIUM as string,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=900,1600', '--virtual-time-budget=5000', '--dump-dom', `file://${page}`],
    { timeout: 90_000 },
  );
  const m = /<pre id="measured">([^<]*)<\/pre>/.exec(r.stdout);
  if (!m) throw new Error(`chromium gave no measurement (exit ${r.code}): ${r.stderr.slice(-500)}`);
  return JSON.parse((m[1] as string).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as Record<string, unknown>;
}

// Skipped only where Chromium is missing outside CI (.ci/run installs it and sets CI).
describe.skipIf(!CHROMIUM && !process.env.CI)('report --html in headless Chromium', () => {
  it('one self-contained file whose charts are drawn and whose numbers are the ledger\'s', () => {
    const dir = tempProject();
    const env = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'sb-config-')) };
    const sb = (...args: string[]) => {
      const r = runCli(args, { cwd: dir, env });
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    sb('create', 'HTML report sprint', '--budget', '30k');
    sb('record', '--phase', 'brainstorm', '--input', '20000', '--output', '3000', '--source', 't', '--key', 'a', '--model', 'claude-sonnet-4-5');
    sb('record', '--phase', 'brainstorm', '--input', '5000', '--output', '1000', '--source', 't', '--key', 'b', '--model', 'claude-opus-5-5', '--agent-type', 'Explore');
    sb('advance');
    sb('set-budget', '60k', '--reason', 'bigger than planned');
    sb('record', '--phase', 'brainstorm-reviewed', '--input', '40000', '--output', '5000', '--source', 't', '--key', 'c', '--model', 'claude-opus-4-8', '--agent-type', 'fd-safety');
    sb('override', '--reason', 'finish the review');
    sb('report', '--html', 'report.html');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');

    // Self-contained: no script, nothing fetched (the only URL is SVG's namespace), a policy that allows none.
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html.match(/https?:\/\/[^"' )]+/g)?.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);

    const ledger = JSON.parse(sb('tokens', '--json')) as {
      tokens_spent: number;
      totals: { billing: number };
      phases: { phase: string; billing: number; measured: boolean }[];
      costs: { phase: string; agent_type: string; model: string; billing: number }[];
    };
    const m = render(html) as {
      charts: { id: string; w: number; h: number }[];
      phases: { label: string; value: number; w: number }[];
      agents: { label: string; value: number; w: number }[];
      spendPoints: number;
      spendLength: number;
      budgetLines: number[];
      marks: string[];
      costs: { phase: string; agent: string; model: string; cells: string[] }[];
      total: string;
      totalDollars: string;
      spent: string;
      history: number;
    };
    expect(m.charts.map((c) => c.id)).toEqual(['phases', 'agents', 'timeline']);
    for (const c of m.charts) expect(c.w * c.h, c.id).toBeGreaterThan(0);
    // A drawn bar per measured phase, as long as its share of the largest; projected phases drawn too.
    const measured = ledger.phases.filter((p) => p.measured);
    expect(m.phases.slice(0, measured.length).map((p) => [p.label, p.value])).toEqual(measured.map((p) => [p.phase, p.billing]));
    const widest = Math.max(...m.phases.map((p) => p.w));
    const largest = Math.max(...m.phases.map((p) => p.value));
    for (const p of m.phases) expect(p.w / widest).toBeCloseTo(p.value / largest, 2);
    expect(m.agents.map((a) => [a.label, a.value])).toEqual([
      ['fd-safety', 45_000],
      ['main', 23_000],
      ['Explore', 6000],
    ]);
    // The spend line through every record, the budget line in two stretches (30k, then 60k), the decisions marked.
    expect(m.spendPoints).toBeGreaterThanOrEqual(2 * 3);
    expect(m.spendLength).toBeGreaterThan(0);
    expect(m.budgetLines).toHaveLength(2);
    for (const w of m.budgetLines) expect(w).toBeGreaterThan(0);
    expect(m.marks.map((t) => t.split(' · ')[0])).toEqual(['phase advance brainstorm → brainstorm-reviewed', 'budget change', 'override']);
    // The table is the ledger's phase × agent type × model spend, with dollars (and "no price", never $0).
    expect(m.costs.map((c) => [c.phase, c.agent, c.model, Number((c.cells[3] as string).replace(/,/g, ''))])).toEqual(ledger.costs.map((c) => [c.phase, c.agent_type, c.model, c.billing]));
    expect(m.costs.map((c) => c.cells[8])).toEqual(['no price', '$0.1050', '$0.3250']);
    expect(Number(m.total.replace(/,/g, ''))).toBe(ledger.totals.billing);
    expect(Number(m.spent)).toBe(ledger.tokens_spent);
    expect(m.totalDollars).toBe('$0.4300 + no price');
    expect(m.history).toBe(4);
  });
});
