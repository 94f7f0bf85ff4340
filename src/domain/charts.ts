/**
 * Charts of a sprint's spend, for the terminal (block characters) and for HTML (inline SVG). Pure:
 * numbers in, text out; no fonts, scripts or files from anywhere else.
 */

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `value` out of `max` in `width` cells, to an eighth of a cell. */
export function hbar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0) return '';
  const eighths = Math.round((Math.min(value, max) / max) * width * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

export interface TimePoint {
  /** Epoch milliseconds. */
  at: number;
  value: number;
}

export interface StepPoint {
  at: number;
  /** null: no budget from here on. */
  value: number | null;
}

export interface Mark {
  at: number;
  /** One character on the terminal's axis; a label in SVG. */
  symbol: string;
  label: string;
}

export interface TimeScale {
  start: number;
  end: number;
  /** The top of the value axis. */
  top: number;
}

/** The time and value range that shows every point, the budget line and every mark. */
export function timeScale(points: readonly TimePoint[], budget: readonly StepPoint[], marks: readonly Mark[], now: number): TimeScale {
  const times = [...points.map((p) => p.at), ...budget.map((b) => b.at), ...marks.map((m) => m.at)];
  const start = Math.min(...times);
  const end = Math.max(now, ...times);
  const top = Math.max(1, ...points.map((p) => p.value), ...budget.map((b) => b.value ?? 0));
  return { start, end: end > start ? end : start + 1, top: top * 1.1 };
}

/** The value of a step series (cumulative spend, the budget) at `at`: its last point at or before it. */
export function valueAt<T extends { at: number }>(series: readonly T[], at: number, get: (p: T) => number | null): number | null {
  let v: number | null = null;
  for (const p of series) {
    if (p.at > at) break;
    v = get(p);
  }
  return v;
}

/**
 * Spend over time on the terminal: `█` up to the spend, `─` on the budget line (`━` where spend is
 * past it), then an axis with the decisions marked by their symbols. `height` rows of `width` columns.
 */
export function terminalTimeChart(points: readonly TimePoint[], budget: readonly StepPoint[], marks: readonly Mark[], scale: TimeScale, width: number, height: number): string[] {
  const col = (at: number) => Math.min(width - 1, Math.max(0, Math.floor(((at - scale.start) / (scale.end - scale.start)) * (width - 1))));
  const row = (v: number) => Math.min(height - 1, Math.max(0, Math.round((v / scale.top) * (height - 1))));
  const grid = Array.from({ length: height }, () => Array.from({ length: width }, () => ' '));
  const lastPoint = points[points.length - 1]?.at ?? scale.start;
  for (let x = 0; x < width; x++) {
    const at = scale.start + ((scale.end - scale.start) * x) / (width - 1);
    const spent = at <= lastPoint || x === col(lastPoint) ? (valueAt(points, at, (p) => p.value) ?? 0) : null;
    const b = valueAt(budget, at, (p) => p.value);
    if (spent !== null && spent > 0) for (let y = 0; y <= row(spent); y++) (grid[y] as string[])[x] = '█';
    if (b !== null) (grid[row(b)] as string[])[x] = spent !== null && spent >= b ? '━' : '─';
  }
  const axis = Array.from({ length: width }, () => '─');
  for (const m of marks) axis[col(m.at)] = m.symbol;
  const label = (v: number) => shortNumber(v).padStart(6);
  const lines = grid.map((cells, y) => `${y === height - 1 ? label(scale.top) : y === 0 ? label(0) : '      '} │${cells.join('')}`).reverse();
  lines.push(`       └${axis.join('')}`);
  return lines;
}

export function shortNumber(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1).replace(/\.0$/, '')}M`;
  if (n >= 1_000) return `${(n / 1_000).toFixed(n >= 100_000 ? 0 : 1).replace(/\.0$/, '')}k`;
  return String(Math.round(n));
}

/** Text for XML: what goes between tags or inside quotes. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface BarItem {
  label: string;
  value: number;
  /** Shown after the value: dollars, an estimate's label. */
  note: string;
  /** A CSS class for the bar (e.g. `estimate`, `current`). */
  kind?: string;
}

/** Horizontal bars as an inline SVG: a row per item, its label, bar, value and note. */
export function svgBars(items: readonly BarItem[], opts: { id: string; title: string; width?: number }): string {
  const width = opts.width ?? 760;
  const rowH = 26;
  const labelW = 190;
  const textW = 230;
  const barW = width - labelW - textW;
  const max = Math.max(1, ...items.map((i) => i.value));
  const rows = items.map((item, i) => {
    const y = i * rowH + 4;
    const w = item.value > 0 ? Math.max(1, (item.value / max) * barW) : 0;
    return [
      `<g class="row" data-label="${escapeXml(item.label)}" data-value="${item.value}">`,
      `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${escapeXml(item.label)}</text>`,
      `<rect class="bar ${item.kind ?? ''}" x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 8}" rx="2"><title>${escapeXml(`${item.label}: ${item.value.toLocaleString('en-US')} billing tokens ${item.note}`)}</title></rect>`,
      `<text class="value" x="${labelW + w + 6}" y="${y + 15}">${item.value.toLocaleString('en-US')}${item.note ? ` · ${escapeXml(item.note)}` : ''}</text>`,
      '</g>',
    ].join('');
  });
  const height = Math.max(1, items.length) * rowH + 8;
  return `<svg id="${opts.id}" class="chart bars" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(opts.title)}">${rows.join('')}</svg>`;
}

/** Spend over time as an inline SVG: the cumulative spend, the budget line, and the decisions as marks. */
export function svgTimeline(points: readonly TimePoint[], budget: readonly StepPoint[], marks: readonly Mark[], scale: TimeScale, opts: { id: string; title: string; width?: number; height?: number }): string {
  const width = opts.width ?? 760;
  const height = opts.height ?? 260;
  const left = 64;
  const right = 16;
  const top = 12;
  const bottom = 40;
  const x = (at: number) => left + ((at - scale.start) / (scale.end - scale.start)) * (width - left - right);
  const y = (v: number) => top + (1 - v / scale.top) * (height - top - bottom);
  const step = (series: readonly { at: number; v: number }[], end: number) => {
    const out: string[] = [];
    series.forEach((p, i) => {
      if (i > 0) out.push(`${x(p.at).toFixed(1)},${y((series[i - 1] as { v: number }).v).toFixed(1)}`);
      out.push(`${x(p.at).toFixed(1)},${y(p.v).toFixed(1)}`);
    });
    const last = series[series.length - 1];
    if (last) out.push(`${x(end).toFixed(1)},${y(last.v).toFixed(1)}`);
    return out.join(' ');
  };
  const lastSpend = points[points.length - 1]?.at ?? scale.start;
  const spend = `<polyline id="${opts.id}-spend" class="spend" fill="none" points="${step(points.map((p) => ({ at: p.at, v: p.value })), lastSpend)}"/>`;
  // The budget line: one segment per stretch of time with a budget.
  const segments: string[] = [];
  budget.forEach((b, i) => {
    if (b.value === null) return;
    const until = budget[i + 1]?.at ?? scale.end;
    segments.push(`<line class="budget" x1="${x(b.at).toFixed(1)}" y1="${y(b.value).toFixed(1)}" x2="${x(until).toFixed(1)}" y2="${y(b.value).toFixed(1)}"><title>budget ${b.value.toLocaleString('en-US')} billing tokens</title></line>`);
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = (scale.top / 1.1) * f;
    return `<g class="tick"><line x1="${left - 4}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${shortNumber(v)}</text></g>`;
  });
  const markEls = marks.map(
    (m) =>
      `<g class="mark" data-kind="${escapeXml(m.label)}"><line x1="${x(m.at).toFixed(1)}" x2="${x(m.at).toFixed(1)}" y1="${top}" y2="${height - bottom}"/><circle cx="${x(m.at).toFixed(1)}" cy="${height - bottom + 12}" r="7"/><text x="${x(m.at).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${escapeXml(m.symbol)}</text><title>${escapeXml(m.label)}</title></g>`,
  );
  const axis = `<line class="axis" x1="${left}" x2="${width - right}" y1="${height - bottom}" y2="${height - bottom}"/><text class="time" x="${left}" y="${height - 4}">${new Date(scale.start).toISOString().slice(0, 16).replace('T', ' ')}</text><text class="time" x="${width - right}" y="${height - 4}" text-anchor="end">${new Date(scale.end).toISOString().slice(0, 16).replace('T', ' ')} UTC</text>`;
  return `<svg id="${opts.id}" class="chart timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(opts.title)}">${ticks.join('')}${segments.join('')}${spend}${axis}${markEls.join('')}</svg>`;
}
