import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function strictAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

/** Parses `1.2.3.0/24`, `2001:db8::/32`, or a bare address (a /32 or /128). Null when invalid. */
export function parseRange(entry: string): Range | null {
  const slash = entry.indexOf('/');
  const address = strictAddress(slash === -1 ? entry : entry.slice(0, slash));
  if (!address) return null;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (slash === -1) return [address, max];
  const bitsText = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  return bits <= max ? [address, bits] : null;
}

export function isValidRange(entry: string): boolean {
  return parseRange(entry) !== null;
}

/** A matcher for a key's allowlist; an empty list allows every address. */
export function compileAllowlist(entries: readonly string[]): (address: string) => boolean {
  if (entries.length === 0) return () => true;
  const ranges = entries.map(parseRange).filter((r): r is Range => r !== null);
  return (address) => {
    if (typeof address !== 'string' || !ipaddr.isValid(address)) return false;
    // process() turns IPv4-mapped IPv6 (::ffff:1.2.3.4, as Node reports it) into IPv4.
    const parsed = ipaddr.process(address);
    return ranges.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits));
  };
}
