import type { MeasuredRow, Row } from '../lib/rows.js';
import { verdict } from '../lib/targets.js';

/** The fields both external suites' rows share with ours. */
type ExternalRow = MeasuredRow & { serverUsPerReq?: number };

const todo = (id: string, section: string, file: string, error: unknown): Row => ({
  id,
  section,
  name: `TODO: ${file} did not run`,
  note: `TODO: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
});

const toRow = (r: ExternalRow): Row => ({
  id: r.id,
  section: r.section,
  name: r.name,
  opsPerSec: r.opsPerSec,
  p50Us: r.p50Us,
  p99Us: r.p99Us,
  ...(r.note || r.serverUsPerReq !== undefined
    ? { note: [r.serverUsPerReq !== undefined ? `${r.serverUsPerReq.toFixed(1)} µs server time/req` : '', r.note ?? ''].filter(Boolean).join('; ') }
    : {}),
});

/**
 * HTTP middleware overhead (bench/http-overhead.ts, by the HTTP adapters' authors), shortened to fit
 * the run's time budget, with the "guarded within 10% of unguarded" target added per framework.
 */
export async function httpSuite(): Promise<Row[]> {
  const section = 'HTTP middleware overhead (hello route, autocannon, 127.0.0.1)';
  try {
    const { httpOverheadSuite } = (await import('../http-overhead.js')) as { httpOverheadSuite: (o: object) => Promise<ExternalRow[]> };
    const rows = (await httpOverheadSuite({ durationSec: 1, rounds: 5 })).map(toRow);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const r of rows) {
      if (!r.id.endsWith('.keysmith')) continue;
      const plain = byId.get(r.id.replace(/\.keysmith$/, '.plain'));
      if (!plain?.opsPerSec || !r.opsPerSec) continue;
      const share = r.opsPerSec / plain.opsPerSec;
      const noop = byId.get(r.id.replace(/\.keysmith$/, '.noop'));
      const control = noop?.opsPerSec ? `, no-op middleware ${Math.round((noop.opsPerSec / plain.opsPerSec) * 100)}%` : '';
      r.target = verdict(share >= 0.9, `≥ 90% of unguarded req/s (${Math.round(share * 100)}%${control})`);
    }
    return rows;
  } catch (error) {
    return [todo('http', section, 'bench/http-overhead.ts', error)];
  }
}

/** MCP tools/call round trips with and without the guard (bench/mcp-roundtrip.ts, by the MCP adapter's author). */
export async function mcpSuite(): Promise<Row[]> {
  const section = 'MCP tools/call round trip (one call at a time)';
  try {
    const { mcpRoundtripSuite } = (await import('../mcp-roundtrip.js')) as { mcpRoundtripSuite: (o: object) => Promise<ExternalRow[]> };
    return (await mcpRoundtripSuite({ roundMs: 700, rounds: 3 })).map(toRow);
  } catch (error) {
    return [todo('mcp', section, 'bench/mcp-roundtrip.ts', error)];
  }
}
