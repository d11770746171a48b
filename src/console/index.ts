/**
 * keysmith/console: the admin console as a custom element, for applications with their own
 * front-end (React, Vue, plain HTML). Importing it registers `<keysmith-console>` in a browser:
 *
 * ```html
 * <keysmith-console base-url="/admin"></keysmith-console>
 * ```
 *
 * The admin mount must be on the same origin; the page sends the mount's CSRF header itself.
 * For the ready page, mount the admin API with `console: true` and open `<mount>/console`.
 */
import { defineKeysmithConsole } from './element.js';

export { KeysmithConsole, defineKeysmithConsole, type ConsoleHeaders } from './element.js';

defineKeysmithConsole();
