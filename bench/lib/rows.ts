import type { Measurement } from './measure.js';

/** One line of the results table. Ratios are filled in by run.ts from the rows they name. */
export interface Row {
  /** Stable id, so other rows and targets can refer to it (e.g. `floor`, `ba.verify`). */
  id: string;
  section: string;
  name: string;
  opsPerSec?: number;
  p50Us?: number;
  p99Us?: number;
  /** Row ids to show this row's throughput against, as "× floor" and "× better-auth". */
  vsFloor?: string;
  vsPeer?: string;
  /** Target verdict for this row, e.g. "✅ ≥ 50% of floor (61%)". */
  target?: string;
  note?: string;
  /** The raw measurement, for ratios computed from interleaved rounds. */
  measurement?: Measurement;
}

/** A measured line as the standalone benchmarks (http-overhead, mcp-roundtrip) return it. */
export type MeasuredRow = Required<Pick<Row, 'id' | 'section' | 'name' | 'opsPerSec' | 'p50Us' | 'p99Us'>> & Pick<Row, 'note'>;

export function row(id: string, section: string, name: string, m: Measurement | null, extra: Partial<Row> = {}): Row {
  return m ? { id, section, name, opsPerSec: m.opsPerSec, p50Us: m.p50Us, p99Us: m.p99Us, measurement: m, ...extra } : { id, section, name, ...extra };
}

/** A row that could not be measured, with the reason in its note. */
export function skipped(id: string, section: string, name: string, reason: string): Row {
  return { id, section, name, note: `skipped: ${reason}` };
}
