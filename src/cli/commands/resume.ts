import { setEnabledCommand } from './pause.js';

/** `keysmith resume <id>`: turns a paused key back on. */
export const resumeCommand = () => setEnabledCommand('resume');
