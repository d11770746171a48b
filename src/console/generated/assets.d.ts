// The console page's bundle, as text. scripts/build-console.ts writes assets.js next to this file
// (`npm run build`, and vitest's global setup before every run); it is not committed.

/** The console's script: the `<keysmith-console>` element and the admin client, minified (ES module). */
export declare const CONSOLE_JS: string;
/** The page's stylesheet (the element styles itself inside its shadow root). */
export declare const CONSOLE_CSS: string;
