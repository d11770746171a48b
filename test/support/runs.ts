/**
 * How many cases a fast-check property runs: `quick` in `npm test` (quick feedback on a 2-core
 * machine), `deep` in `npm run test:deep` (KEYSMITH_DEEP=1; CI runs it). The quick count still
 * explores the space (each run is a fresh random case, and fast-check shrinks any failure); the deep
 * one is what the test's name promises.
 */
export function runs(quick: number, deep: number): number {
  return process.env.KEYSMITH_DEEP === '1' ? deep : quick;
}
