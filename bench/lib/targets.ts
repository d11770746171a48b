/** "✅ text" or "❌ text": how a target is shown in the table and in BENCHMARKS.md. */
export function verdict(met: boolean, text: string): string {
  return `${met ? '✅' : '❌'} ${text}`;
}

/** True when a verdict string says the target was met. */
export const isMet = (target: string) => target.startsWith('✅');
