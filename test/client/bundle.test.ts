import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** keysmith/client runs in browsers and workers: nothing in its module graph may import Node. */
describe('keysmith/client bundle', () => {
  it('bundles for a neutral platform with no node: import and no server code', async () => {
    const result = await build({
      entryPoints: ['src/client/index.ts'],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((f) => f.startsWith('node:') || /(^|\/)node_modules\//.test(f))).toEqual([]);
    // Only the client and keysmith's error class: types from the schemas are erased, zod is not bundled.
    expect(inputs.sort()).toEqual(['src/client/index.ts', 'src/errors/errors.ts', 'src/errors/redact.ts']);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from ["']node:|require\(["']node:/);
    expect(code).toContain('createAdminClient');
  });

  it('dist/client.js, when built, imports no node: module (itself or any chunk it loads)', () => {
    if (!existsSync('dist/client.js')) return; // built by `npm run build` in CI before the package checks
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from\s*["']node:|import\(["']node:|require\(["']node:/);
      for (const [, spec] of text.matchAll(/from\s*["'](\.[^"']+)["']/g)) visit(join(dirname(file), spec!));
    };
    visit('dist/client.js');
    for (const file of seen) expect(readFileSync(file, 'utf8'), file).not.toMatch(/from\s*["'](keysmith|zod|express|fastify|hono|pg|mongodb)["'/]/);
  });
});
