import type { ApiKeyJson } from '../client/index.js';
import { check, field, h, select, uid } from './dom.js';
import { days, endOfDay, tomorrow, words } from './format.js';

/** What the page knows about the keyring's vocabulary (from `GET <mount>/console/session`). */
export interface Vocabulary {
  scopes: string[] | null;
  roles: string[];
  presets: string[];
}

/** A group of form controls and how to read them back. */
export interface Fields<T> {
  element: HTMLElement;
  /** The value for the API body; throws an Error with a plain message when the input cannot be used. */
  read(): T;
}

const fieldset = (legend: string, ...children: HTMLElement[]): HTMLFieldSetElement => h('fieldset', {}, h('legend', {}, legend), ...children);

/** Full access (`*`) or a chosen subset of scopes (a checklist when the keyring has a vocabulary), and roles. */
export function accessFields(vocabulary: Vocabulary, initial?: Pick<ApiKeyJson, 'scopes' | 'roles'>): Fields<{ scopes: string[]; roles: string[] }> {
  const name = uid('access');
  const full = initial?.scopes.includes('*') === true;
  const fullRadio = check('radio', 'Full access: every scope', { name, value: 'full', checked: full });
  const limitRadio = check('radio', 'Limit access to…', { name, value: 'limit', checked: !full });
  const held = new Set(initial?.scopes ?? []);
  let readScopes: () => string[];
  let scopeBox: HTMLElement;
  if (vocabulary.scopes) {
    const boxes = vocabulary.scopes.map((scope) => check('checkbox', scope, { value: scope, checked: held.has(scope) }));
    scopeBox = fieldset('Scopes', h('div', { class: 'checklist' }, ...boxes.map((b) => b.wrap)));
    readScopes = () => boxes.filter((b) => b.input.checked).map((b) => b.input.value);
  } else {
    const input = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: [...held].filter((s) => s !== '*').join(' ') });
    scopeBox = field('Scopes', input, 'Separate with spaces or commas, e.g. docs:read docs:write');
    readScopes = () => words(input.value);
  }
  const sync = () => {
    scopeBox.hidden = fullRadio.input.checked;
  };
  fullRadio.input.addEventListener('change', sync);
  limitRadio.input.addEventListener('change', sync);
  sync();
  const roleBoxes = vocabulary.roles.map((role) => check('checkbox', role, { value: role, checked: initial?.roles.includes(role) === true }));
  const element = h(
    'div',
    {},
    fieldset('Permission scope', fullRadio.wrap, limitRadio.wrap, scopeBox),
    roleBoxes.length > 0 && fieldset('Roles', h('div', { class: 'checklist' }, ...roleBoxes.map((b) => b.wrap))),
  );
  return {
    element,
    read: () => ({
      scopes: fullRadio.input.checked ? ['*'] : readScopes(),
      roles: roleBoxes.filter((b) => b.input.checked).map((b) => b.input.value),
    }),
  };
}

type McpSettings = { enabled: boolean; readOnly: boolean; tools: { mode: 'all' | 'allow' | 'deny'; names: string[] } };

/** MCP access: on or off, read-only tools only, and a tool allow or deny list. */
export function mcpFields(initial?: McpSettings): Fields<McpSettings> {
  const enabled = check('checkbox', 'Allow MCP access', { checked: initial?.enabled ?? true });
  const readOnly = check('checkbox', 'Read-only tools only', { checked: initial?.readOnly ?? false });
  const mode = select(
    [
      ['all', 'All tools'],
      ['allow', 'Only the tools listed'],
      ['deny', 'All tools except those listed'],
    ],
    initial?.tools.mode ?? 'all',
  );
  const names = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: (initial?.tools.names ?? []).join(', ') });
  const namesField = field('Tool names', names, 'Separate with commas');
  const sync = () => {
    namesField.hidden = mode.value === 'all';
  };
  mode.addEventListener('change', sync);
  sync();
  return {
    element: fieldset('MCP', enabled.wrap, readOnly.wrap, field('Tools', mode), namesField),
    read: () => {
      const toolMode = mode.value as McpSettings['tools']['mode'];
      return {
        enabled: enabled.input.checked,
        readOnly: readOnly.input.checked,
        tools: { mode: toolMode, names: toolMode === 'all' ? [] : words(names.value) },
      };
    },
  };
}

type Expiry = { expiresIn?: string; expiresAt?: string | null };

/**
 * No expiration, 7, 30, 60 or 90 days, or a custom date. When editing, `current` adds a first
 * option that keeps the key's expiry as it is.
 */
export function expiryFields(editing?: { current: string | null }): Fields<Expiry> {
  const options: [string, string][] = [
    ['none', 'No expiration'],
    ['7', '7 days'],
    ['30', '30 days'],
    ['60', '60 days'],
    ['90', '90 days'],
    ['custom', 'Custom date'],
  ];
  if (editing) options.unshift(['keep', editing.current ? `Keep the current date (${new Date(editing.current).toLocaleDateString()})` : 'Keep: no expiration']);
  const choice = select(options, editing ? 'keep' : 'none');
  const date = h('input', { type: 'date', min: tomorrow() });
  const dateField = field('Expiry date', date);
  const sync = () => {
    dateField.hidden = choice.value !== 'custom';
  };
  choice.addEventListener('change', sync);
  sync();
  return {
    element: h('div', {}, field(editing ? 'Expiration' : 'Expires', choice), dateField),
    read: () => {
      switch (choice.value) {
        case 'keep':
          return {};
        case 'none':
          return { expiresAt: null };
        case 'custom': {
          const at = endOfDay(date.value);
          if (!at) throw new Error('Choose an expiry date in the future');
          return { expiresAt: at };
        }
        default:
          return { expiresIn: days(Number(choice.value)) };
      }
    },
  };
}
