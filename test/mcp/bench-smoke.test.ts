// Keeps bench/mcp-roundtrip.ts runnable. No timing assertions: only that every case ran.
import { describe, expect, it } from 'vitest';
import { formatRows, mcpRoundtripSuite } from '../../bench/mcp-roundtrip.js';

describe('bench/mcp-roundtrip', () => {
  it('measures the four cases', async () => {
    const rows = await mcpRoundtripSuite({ roundMs: 40, rounds: 1 });
    expect(rows.map((r) => r.id)).toEqual(['mcp.mem', 'mcp.mem.guard', 'mcp.http', 'mcp.http.guard']);
    for (const r of rows) expect(r.opsPerSec).toBeGreaterThan(0);
    expect(formatRows(rows)).toContain('| in process, guardMcpServer |');
  });
});
