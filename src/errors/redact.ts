/**
 * Anything shaped like a keysmith token, of any keyring (`<prefix>_<16 base62 id>_<secret>`), or
 * cut short: the id, then at least five characters of the secret.
 */
const TOKEN_SHAPE = /_([0-9A-Za-z]{16})_([0-9A-Za-z]{4})[0-9A-Za-z]+/g;
/** A run of 24+ base62 characters: a secret (32 + 6 checksum), a hash or a key of another system. */
const LONG_RUN = /[0-9A-Za-z]{24,}/g;

/**
 * Replaces every token-shaped string in `text` by its preview (`sk_live_<id>_abcd…`) and every
 * other long base62 run by its first four characters and `…`. Errors (`KeysmithError` messages and
 * field issues) and events pass through here, so nothing a caller pasted can echo a secret back.
 */
export function redactSecrets(text: string): string {
  return text.replace(TOKEN_SHAPE, '_$1_$2…').replace(LONG_RUN, (run) => `${run.slice(0, 4)}…`);
}
