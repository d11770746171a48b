import type { Finding, ScanStats } from './finding.js';

/** Where a finding is, for people: `path:line:column`, plus the commit for history. */
function locationOf(f: Finding): string {
  const at = `${f.path}:${f.line}:${f.column}`;
  return f.source === 'git' ? `${at} (history${f.commit ? `, commit ${f.commit.slice(0, 12)}` : `, blob ${f.blob?.slice(0, 12)}`})` : at;
}

/** The text report: one line per finding (previews only), then a summary. */
export function textReport(findings: Finding[], stats: ScanStats): { out: string; summary: string } {
  const lines = findings.map((f) => {
    const state = f.status ? ` [${f.status}${f.revoked ? ', revoked now' : ''}]` : '';
    return `${locationOf(f)}  ${f.preview}  key ${f.keyId}${state}`;
  });
  const keys = new Set(findings.map((f) => f.keyId)).size;
  const scanned = `${stats.files} files${stats.blobs ? ` and ${stats.blobs} history blobs` : ''} (${(stats.bytes / 1e6).toFixed(1)} MB, ${stats.skippedBinary} binary skipped)`;
  const summary =
    findings.length === 0
      ? `No keysmith tokens found in ${scanned}.`
      : `Found ${findings.length} token${findings.length === 1 ? '' : 's'} of ${keys} key${keys === 1 ? '' : 's'} in ${scanned}. Revoke them (keysmith revoke, or scan --revoke) and remove them from the files and the history.`;
  return { out: lines.join('\n'), summary };
}

/** The JSON report: `{ findings, stats }`, each finding with its preview and key id, never the secret. */
export function jsonReport(findings: Finding[], stats: ScanStats): string {
  return JSON.stringify({ findings, stats }, null, 2);
}
