import type { MeasuredRow, Row } from '../lib/rows.js';

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
 * HTTP guard cost in server CPU per request (bench/http-cpu.ts): server pinned to one core, load on
 * the other, alternated rounds; targets judged there (added µs, and req/s against the peers).
 */
export async function httpSuite(): Promise<Row[]> {
  const section = 'HTTP guard cost';
  try {
    const { httpCpuSuite } = await import('../http-cpu.js');
    // 9 rounds of 3 s, as the standalone script: with 5 rounds the 95% interval of a median is the
    // whole range of rounds, wider than the 3–5 µs targets on a 2-core machine.
    return await httpCpuSuite({ durationSec: 3, rounds: 9 });
  } catch (error) {
    return [todo('http', section, 'bench/http-cpu.ts', error)];
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
