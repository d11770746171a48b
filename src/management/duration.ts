const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 } as const;
const DURATION_RE = /^(\d{1,6})(s|m|h|d|w|y)$/;

/** `'7d'`, `'30d'`, `'90d'`, `'12h'`, `'15m'`, `'1y'` (365 days), or milliseconds. Null when invalid. */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  const match = DURATION_RE.exec(value);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : null;
}
