import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm test` must never stop or restart a service it did not start: the suite that stops this
 * machine's PostgreSQL and Redis (test/disruptive/) runs only from `npm run test:disruptive`,
 * which CI calls after `npm test`. These tests ask vitest itself which files each script selects
 * (`vitest list --filesOnly`, which imports no test file), so they cannot be fooled by wording.
 */
const root = resolve(import.meta.dirname, '../..');
const scripts: Record<string, string> = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).scripts;

interface VitestRun {
  env: Record<string, string>;
  args: string[];
}

/** The vitest runs a script makes, following `npm test` / `npm run <name>`; anything else is refused. */
function vitestRuns(script: string, seen: string[] = []): VitestRun[] {
  return script.split('&&').flatMap((segment) => {
    const words = segment.trim().split(/\s+/);
    const env: Record<string, string> = {};
    while (words[0]?.includes('=')) {
      const [name, value] = words.shift()!.split('=') as [string, string];
      env[name] = value;
    }
    const [cmd, sub, ...rest] = words;
    const nested = cmd === 'npm' && sub === 'test' ? 'test' : cmd === 'npm' && sub === 'run' ? rest[0] : undefined;
    if (nested !== undefined) {
      if (seen.includes(nested)) throw new Error(`script "${nested}" calls itself`);
      const body = scripts[nested];
      if (body === undefined) throw new Error(`package.json has no script "${nested}"`);
      return vitestRuns(body, [...seen, nested]).map((r) => ({ env: { ...r.env, ...env }, args: r.args }));
    }
    if ((cmd === 'vitest' || (cmd === 'npx' && sub === 'vitest')) && words.includes('run')) {
      return [{ env, args: words.slice(words.indexOf('run') + 1) }];
    }
    throw new Error(`this test does not know the command "${segment.trim()}": teach it, so it can tell what the script runs`);
  });
}

/** The test files one vitest run selects, relative to the project root. */
function selectedFiles(run: VitestRun): string[] {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('KEYSMITH_') || name.startsWith('VITEST')) delete env[name];
  const out = execFileSync(resolve(root, 'node_modules/.bin/vitest'), ['list', '--filesOnly', '--json', ...run.args], {
    cwd: root,
    env: { ...env, ...run.env },
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { file: string }[]).map((f) => relative(root, f.file)).sort();
}

const filesOf = (script: string) => vitestRuns(`npm run ${script}`).flatMap(selectedFiles);

describe('test scripts: npm test never stops services', () => {
  it('npm test selects the main suite and no file of test/disruptive/', () => {
    const files = filesOf('test');
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((f) => f.startsWith('test/disruptive/'))).toEqual([]);
    expect(files).toContain('test/tooling/test-scripts.test.ts');
  }, 30_000);

  it('npm run test:disruptive selects exactly the files of test/disruptive/', () => {
    const files = filesOf('test:disruptive');
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.startsWith('test/disruptive/'))).toBe(true);
    const all = execFileSync('git', ['ls-files', 'test/disruptive'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.test.ts'));
    expect(files).toEqual(all.sort());
  }, 30_000);

  it('.ci/run runs npm test, then npm run test:disruptive', () => {
    const lines = readFileSync(resolve(root, '.ci/run'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    const main = lines.indexOf('npm test');
    const disruptive = lines.indexOf('npm run test:disruptive');
    expect(main).toBeGreaterThanOrEqual(0);
    expect(disruptive).toBeGreaterThan(main);
  });
});
