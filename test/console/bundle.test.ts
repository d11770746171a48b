import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildConsoleAssets, CONSOLE_BUDGET_BYTES } from '../../scripts/build-console.js';
import { CONSOLE_CSS, CONSOLE_JS } from '../../src/console/generated/assets.js';

describe('the console page bundle', () => {
  it('is what the build makes now, within 60 kB gzipped', async () => {
    const built = await buildConsoleAssets();
    // The served assets are the current sources (vitest's global setup rebuilt them).
    expect(CONSOLE_JS).toBe(built.js);
    expect(CONSOLE_CSS).toBe(built.css);
    expect(built.gzipBytes).toBe(gzipSync(CONSOLE_JS).byteLength + gzipSync(CONSOLE_CSS).byteLength);
    expect(built.gzipBytes).toBeLessThanOrEqual(CONSOLE_BUDGET_BYTES);
    expect(CONSOLE_BUDGET_BYTES).toBe(60_000);
  });

  it('needs nothing a strict CSP forbids and writes nothing where a token could leak', () => {
    // No eval and no HTML parsing (a key's name is never markup); no style attribute or <style> element.
    expect(CONSOLE_JS).not.toMatch(/\beval\(|new Function\(|\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write/);
    expect(CONSOLE_JS).not.toMatch(/createElement\(["']style["']\)|setAttribute\(["']style["']/);
    // Nothing from elsewhere: no URL, no font, no import of another module.
    expect(CONSOLE_JS).not.toMatch(/https?:\/\/[a-z]|@font-face|\bimport\s*\(|\bfrom\s*["']/);
    expect(CONSOLE_CSS).not.toMatch(/url\(|@import|@font-face/);
    // Never storage, never a log.
    expect(CONSOLE_JS).not.toMatch(/localStorage|sessionStorage|indexedDB|document\.cookie|\bconsole\.(log|info|warn|error|debug)\b/);
  });
});
