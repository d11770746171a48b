/**
 * Type-checks every TypeScript block of the docs against the sources, so no snippet rots.
 *
 * `npm run check:docs` (run by `.ci/run`) reads README.md, the other top-level Markdown pages and
 * every page under docs/, writes each ```ts block to its own module in a temporary folder at the
 * repository root (so `keysmith/*` resolves through tsconfig.json's paths, packages through
 * node_modules, and `../test/...` from a page in docs/ reaches the repository's files), and
 * type-checks them with the project's compiler options. An error is reported at the page's own
 * file:line, and the script exits 1.
 *
 * A block whose info string says `ts fragment` is only parsed, not type-checked: use it for the
 * rare snippet that cannot stand alone (say so in the text around it).
 *
 * It also checks that every relative link of those pages points at a file that exists, and at a
 * heading of it when the link has an anchor (GitHub's heading ids), so moving a page or renaming a
 * heading cannot leave a dead link behind.
 *
 * Usage: `tsx scripts/check-snippets.ts [file.md …]` (default: every page).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A fenced TypeScript block of one Markdown page. */
export interface Snippet {
  /** The page, relative to the repository root. */
  file: string;
  /** 1-based line of the block's first code line in the page. */
  line: number;
  code: string;
  /** `ts fragment`: parsed only. */
  fragment: boolean;
}

const TS_LANGS = new Set(['ts', 'typescript', 'mts']);

/** The ```ts blocks of one Markdown text, with the line each starts on. */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const out: Snippet[] = [];
  let open: { fence: string; lang: string; flags: string[]; start: number; body: string[] } | null = null;
  for (const [i, line] of lines.entries()) {
    if (open === null) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(line);
      if (m) open = { fence: m[1]!, lang: m[2]!.toLowerCase(), flags: m[3]!.split(/\s+/).filter(Boolean), start: i + 2, body: [] };
      continue;
    }
    if (line.trim().startsWith(open.fence[0]!.repeat(open.fence.length)) && line.trim().replace(/[`~]/g, '') === '') {
      if (TS_LANGS.has(open.lang)) {
        out.push({ file, line: open.start, code: open.body.join('\n'), fragment: open.flags.includes('fragment') });
      }
      open = null;
      continue;
    }
    open.body.push(line);
  }
  if (open !== null) throw new Error(`${file}:${open.start - 1}: code block never closed`);
  return out;
}

/** The pages whose snippets are checked: top-level *.md (not the generated ones) and docs/**. */
function defaultPages(): string[] {
  const generated = new Set(['CHANGELOG.md', 'BENCHMARKS.md']);
  const top = readdirSync(root).filter((f) => f.endsWith('.md') && !generated.has(f));
  const docs: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) docs.push(path);
    }
  };
  try {
    walk('docs');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return [...top.sort(), ...docs.sort()];
}

function format(snippet: Snippet, diagnostic: ts.Diagnostic, offset = 0): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (diagnostic.file === undefined || diagnostic.start === undefined) {
    return `${snippet.file}:${snippet.line} - error TS${diagnostic.code}: ${message}`;
  }
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${snippet.file}:${snippet.line + line - offset}:${character + 1} - error TS${diagnostic.code}: ${message}`;
}

/** Checks the snippets; returns one line per error (empty when every snippet compiles). */
export function checkSnippets(snippets: Snippet[]): string[] {
  const errors: string[] = [];
  const full = snippets.filter((s) => !s.fragment);
  for (const s of snippets.filter((x) => x.fragment)) {
    const result = ts.transpileModule(s.code, { reportDiagnostics: true, fileName: 'fragment.ts' });
    for (const d of result.diagnostics ?? []) errors.push(format(s, d));
  }
  if (full.length === 0) return errors;

  // Inside the repository, at the same depth as docs/, so that imports resolve as they would for a page.
  const dir = mkdtempSync(join(root, '.snippets-'));
  try {
    const byPath = new Map<string, Snippet>();
    for (const s of full) {
      const name = `${s.file.replace(/[^\w.-]+/g, '_')}-L${s.line}.ts`;
      const path = join(dir, name);
      // `export {}` makes every block its own module, so two blocks may both declare `keyring`.
      writeFileSync(path, `${s.code}\nexport {};\n`);
      byPath.set(resolve(path), s);
    }
    const configPath = join(root, 'tsconfig.json');
    const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
    const program = ts.createProgram({ rootNames: [...byPath.keys()], options: { ...parsed.options, noEmit: true } });
    for (const d of program.getOptionsDiagnostics()) errors.push(`tsconfig.json - error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    for (const sf of program.getSourceFiles()) {
      const snippet = byPath.get(resolve(sf.fileName));
      if (snippet === undefined) continue;
      const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
      for (const d of diagnostics) errors.push(format(snippet, d));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return errors;
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingId(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The page's text outside fenced code blocks, line by line (code lines blanked, so numbers stay). */
function prose(markdown: string, keepInlineCode = false): string[] {
  let fence: string | null = null;
  return markdown.split('\n').map((line) => {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === null && m) {
      fence = m[1]!;
      return '';
    }
    if (fence !== null) {
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = null;
      return '';
    }
    return keepInlineCode ? line : line.replace(/`[^`]*`/g, '');
  });
}

function anchorsOf(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(markdown, true)) {
    const m = /^#{1,6}\s+(.*?)\s*#*$/.exec(line);
    if (!m) continue;
    const id = headingId(m[1]!.replace(/`/g, ''));
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    ids.add(n === 0 ? id : `${id}-${n}`);
  }
  return ids;
}

/** Dead relative links of one page (page relative to the repository root): one line per link. */
export function checkLinks(file: string, markdown: string, readPage: (path: string) => string | null): string[] {
  const errors: string[] = [];
  for (const [i, line] of prose(markdown).entries()) {
    for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const resolved = path === '' ? file : join(dirname(file), decodeURI(path));
      const text = readPage(resolved);
      if (text === null) {
        errors.push(`${file}:${i + 1} - dead link: ${target} (no file ${resolved})`);
      } else if (anchor !== undefined && anchor !== '' && resolved.endsWith('.md') && !anchorsOf(text).has(anchor)) {
        errors.push(`${file}:${i + 1} - dead link: ${target} (no heading #${anchor} in ${resolved})`);
      }
    }
  }
  return errors;
}

function readPageFromRoot(path: string): string | null {
  const full = join(root, path);
  if (!existsSync(full)) return null;
  return path.endsWith('.md') ? readFileSync(full, 'utf8') : '';
}

function main(): void {
  const pages = process.argv.length > 2 ? process.argv.slice(2).map((p) => relative(root, resolve(p))) : defaultPages();
  const snippets = pages.flatMap((page) => extractSnippets(page, readFileSync(join(root, page), 'utf8')));
  const errors = [...pages.flatMap((page) => checkLinks(page, readFileSync(join(root, page), 'utf8'), readPageFromRoot)), ...checkSnippets(snippets)];
  for (const e of errors) console.error(e);
  const fragments = snippets.filter((s) => s.fragment).length;
  console.log(
    `${basename(process.argv[1] ?? 'check-snippets')}: ${snippets.length} TypeScript blocks in ${pages.length} pages (${fragments} fragments, parsed only) and their relative links: ${errors.length === 0 ? 'all compile, no dead link' : `${errors.length} errors`}`,
  );
  if (errors.length > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
