// The script of the page served at `GET <mount>/console`: registers <keysmith-console>.
import { defineKeysmithConsole } from './element.js';

defineKeysmithConsole();
