import { pathToFileURL } from 'node:url';
import type { Finding } from './finding.js';

const RULE_ID = 'keysmith/leaked-api-key';

/**
 * The findings as a SARIF 2.1.0 log (what GitHub code scanning uploads): one rule, one result per
 * finding with its file, line and column, a fingerprint from the key id (so an alert follows the
 * key, not the line), and only the preview in the message.
 */
export function sarifReport(findings: Finding[], version: string, root = process.cwd()): string {
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'keysmith',
            version,
            informationUri: 'https://github.com/keysmith-dev/keysmith/blob/main/docs/cli.md',
            rules: [
              {
                id: RULE_ID,
                name: 'LeakedApiKey',
                shortDescription: { text: 'A keysmith API key is committed' },
                fullDescription: {
                  text: 'A keysmith token (confirmed by its checksum) appears in a file or in the git history. Anyone who can read it can use the key.',
                },
                help: {
                  text: 'Revoke the key (keysmith revoke <id> --tenant <tenant>, or keysmith scan --revoke), mint a new one with keysmith rotate, and remove the token from the file and the history.',
                },
                defaultConfiguration: { level: 'error' },
                properties: { tags: ['security', 'secret'], precision: 'very-high', 'security-severity': '9.0' },
              },
            ],
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: `${pathToFileURL(root).href.replace(/\/?$/, '/')}` } },
        results: findings.map((f) => ({
          ruleId: RULE_ID,
          ruleIndex: 0,
          level: 'error',
          message: {
            text: `keysmith key ${f.keyId} (${f.preview}) found${f.source === 'git' ? ` in the git history${f.commit ? ` (commit ${f.commit})` : ''}` : ''}${f.status ? `; in the store it is ${f.status}` : ''}.`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.path), uriBaseId: 'SRCROOT' },
                region: { startLine: f.line, startColumn: f.column, endColumn: f.column + f.length },
              },
            },
          ],
          partialFingerprints: { 'keysmithKeyId/v1': f.keyId },
          properties: { source: f.source, prefix: f.prefix, ...(f.commit ? { commit: f.commit } : {}), ...(f.status ? { status: f.status } : {}) },
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}
