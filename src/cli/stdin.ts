import { createInterface, type Interface } from 'node:readline';

/** Reads the whole of stdin as text (verify's token), up to `limit` characters. */
export async function readAllStdin(limit = 64 * 1024): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.length > limit) break;
  }
  return text;
}

/**
 * Answers to confirmation prompts, one line each, from the terminal or from piped stdin
 * (`echo "deploy bot" | keysmith revoke …`). The prompt goes to stderr.
 */
export class LineReader {
  private rl: Interface | null = null;
  private lines: AsyncIterator<string> | null = null;

  /** Shows `prompt` on stderr and resolves to the next line, or null at end of input. */
  async ask(prompt: string): Promise<string | null> {
    process.stderr.write(prompt);
    if (!this.lines) {
      this.rl = createInterface({ input: process.stdin, terminal: false });
      this.lines = this.rl[Symbol.asyncIterator]();
    }
    const next = await this.lines.next();
    if (!process.stdin.isTTY) process.stderr.write('\n');
    return next.done ? null : next.value;
  }

  /** Lets go of stdin so the process can exit. */
  close(): void {
    this.rl?.close();
  }
}
