import type { Machine } from './machine.js';
import { speedRatio } from './measure.js';
import type { Row } from './rows.js';

const fmtOps = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '' : Math.round(n).toLocaleString('en-US'));

function fmtTime(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return '';
  if (us < 10) return `${us.toFixed(2)} µs`;
  if (us < 1000) return `${us.toFixed(0)} µs`;
  return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
}

const fmtRatio = (r: number | null) => (r === null || !Number.isFinite(r) ? '' : r >= 10 ? `${Math.round(r)}×` : `${r.toFixed(2)}×`);

/** Throughput of `row` relative to the row it names (same-group rounds paired when possible). */
export function ratio(row: Row, ref: Row | undefined): number | null {
  if (!ref || row.opsPerSec === undefined || ref.opsPerSec === undefined) return null;
  if (row.measurement && ref.measurement) return speedRatio(row.measurement, ref.measurement);
  return row.opsPerSec / ref.opsPerSec;
}

const HEAD = ['Case', 'ops/s', 'p50', 'p99', '× floor', '× better-auth', 'Target', 'Notes'];

function cells(row: Row, byId: Map<string, Row>): string[] {
  return [
    row.name,
    fmtOps(row.opsPerSec),
    fmtTime(row.p50Us),
    fmtTime(row.p99Us),
    row.vsFloor ? fmtRatio(ratio(row, byId.get(row.vsFloor))) : '',
    row.vsPeer ? fmtRatio(ratio(row, byId.get(row.vsPeer))) : '',
    row.target ?? '',
    row.note ?? '',
  ];
}

/** Rows grouped by section, in first-seen order. */
function sections(rows: Row[]): [string, Row[]][] {
  const out = new Map<string, Row[]>();
  for (const r of rows) out.set(r.section, [...(out.get(r.section) ?? []), r]);
  return [...out];
}

/** One plain-text table for the terminal: section lines between the rows. */
export function consoleTable(rows: Row[]): string {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const body = rows.map((r) => cells(r, byId));
  const width = (s: string) => [...s].length;
  const widths = HEAD.map((h, i) => Math.max(width(h), ...body.map((c) => (i === 7 ? 0 : width(c[i]!)))));
  const line = (c: string[]) =>
    c
      .map((s, i) => (i === 0 || i >= 6 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(HEAD), widths.map((w) => '─'.repeat(w)).join('  ')];
  for (const [section, list] of sections(rows)) {
    out.push('', `▸ ${section}`);
    for (const r of list) out.push(line(cells(r, byId)));
  }
  return out.join('\n');
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

/** The same table in Markdown, a bold row per section. */
export function markdownTable(rows: Row[]): string {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out = [`| ${HEAD.join(' | ')} |`, '|---|---:|---:|---:|---:|---:|---|---|'];
  for (const [section, list] of sections(rows)) {
    out.push(`| **${esc(section)}** | | | | | | | |`);
    for (const r of list) out.push(`| ${cells(r, byId).map(esc).join(' | ')} |`);
  }
  return out.join('\n');
}

export function machineLines(m: Machine): string[] {
  return [
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}`,
    `Node ${m.node}; run ${m.date}`,
    `Packages: ${Object.entries(m.packages)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
  ];
}
