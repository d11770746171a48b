import type { ApiKeyView } from 'keysmith';

const when = (date: Date | null, none: string) => (date ? date.toISOString() : none);
const list = (items: string[]) => (items.length > 0 ? items.join(', ') : '-');

/** A key as aligned `field  value` lines for a terminal (the hash never leaves the store; the token is not here). */
export function keyLines(key: ApiKeyView): string {
  const resources = Object.entries(key.resources).map(([kind, ids]) => `${kind}: ${ids.join(', ') || '(none)'}`);
  const rows: [string, string][] = [
    ['id', key.id],
    ['name', key.name],
    ['tenant', key.tenantId],
    ['status', key.status],
    ['preview', key.preview],
    ['scopes', list(key.scopes)],
    ['roles', list(key.roles)],
    ['preset', key.preset ?? '-'],
    ['resources', list(resources)],
    ['expires', when(key.expiresAt, 'never')],
    ['created', `${key.createdAt.toISOString()}${key.createdBy ? ` by ${key.createdBy}` : ''}`],
    ['last used', when(key.lastUsedAt, 'never')],
  ];
  if (key.revokedAt) rows.push(['revoked', `${key.revokedAt.toISOString()}${key.revokedBy ? ` by ${key.revokedBy}` : ''}`]);
  if (key.remaining !== null) rows.push(['credits', String(key.remaining)]);
  return rows.map(([field, value]) => `${field.padEnd(10)} ${value}`).join('\n');
}

/** Keys as a table with a header row. */
export function keyTable(keys: ApiKeyView[]): string {
  const header = ['ID', 'NAME', 'STATUS', 'PREVIEW', 'EXPIRES', 'LAST USED'];
  const rows = keys.map((k) => [k.id, k.name, k.status, k.preview, when(k.expiresAt, 'never'), when(k.lastUsedAt, 'never')]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
