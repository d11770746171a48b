import { createAdminClient, isKeysmithError, type ApiKeyJson, type CreateKeyBody, type KeyPageJson, type TenantKeysClient } from '../client/index.js';
import { button, check, field, h, select, uid, type Child } from './dom.js';
import { accessCell, dateCell, parseResources, statusBadge } from './format.js';
import { accessFields, expiryFields, mcpFields, type Vocabulary } from './fields.js';
import { CONSOLE_STYLES } from './styles.js';

/** What `GET <mount>/console/session` answers. */
interface Session extends Vocabulary {
  actorId: string;
  tenantId: string;
  superAdmin: boolean;
  limited: boolean;
  csrfHeader: string | null;
}

/** Extra headers for every call: an object, or a function called per request (e.g. to add a bearer token held in memory). */
export type ConsoleHeaders = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

const PAGE_SIZE = 20;
const GRACE: [string, string][] = [
  ['0', 'Stop working at once'],
  ['3600000', '1 hour'],
  ['86400000', '24 hours'],
  ['604800000', '7 days'],
];

// Node (server-side rendering, tests) has no HTMLElement: the module still loads there.
const Base = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

/** A readable message for a failed call, with the server's field issues. */
function problem(error: unknown): string {
  if (isKeysmithError(error)) {
    const issues = error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
    return [error.message, ...issues].join(' — ');
  }
  return error instanceof Error ? error.message : 'Something went wrong';
}

/**
 * `<keysmith-console base-url="/admin">`: the key-management page for the signed-in actor, over
 * the admin API mounted at `base-url` (same origin; cookies are sent). List, search and page keys;
 * create one (the token shown once, with a copy button); edit scopes, expiry and MCP settings;
 * pause and resume; rotate; revoke after typing the key's name. Builds its DOM without HTML
 * parsing, keeps tokens only in the open dialog (never in storage, a URL or a log), and sends the
 * mount's CSRF header with every call.
 */
export class KeysmithConsole extends Base {
  /** @internal */
  static get observedAttributes(): string[] {
    return ['base-url'];
  }

  #extraHeaders: ConsoleHeaders | undefined;

  /**
   * Headers sent with every call besides the CSRF header, e.g. `() => ({ authorization: \`Bearer ${token}\` })`.
   * Setting them reloads the element (so an app can sign it in after it is on the page).
   */
  get headers(): ConsoleHeaders | undefined {
    return this.#extraHeaders;
  }

  set headers(value: ConsoleHeaders | undefined) {
    this.#extraHeaders = value;
    if (this.#shadow && this.isConnected) void this.#start();
  }

  /** Replaces `fetch` (tests, retries). @default globalThis.fetch */
  fetch?: typeof fetch;

  #shadow: ShadowRoot | null = null;
  #status!: HTMLParagraphElement;
  #alert!: HTMLParagraphElement;
  #list!: HTMLDivElement;
  #pager!: HTMLElement;
  #toolbar!: HTMLElement;
  #dialog!: HTMLDialogElement;
  #header!: HTMLElement;
  #session: Session | null = null;
  #tenant = '';
  #page = 1;
  #search = '';
  #includeRevoked = false;
  #keys: ApiKeyJson[] = [];
  #manageable = new Set<string>();
  #afterClose: (() => void) | null = null;
  #focusAfter: { id: string; action: string } | null = null;
  /** Counts (re)starts, so a slow answer for an earlier sign-in is dropped. */
  #run = 0;
  /** What the status line says once the list has reloaded after an action. */
  #notice = '';

  /** @internal */
  connectedCallback(): void {
    if (!this.#shadow) this.#build();
    void this.#start();
  }

  /** @internal */
  attributeChangedCallback(): void {
    if (this.#shadow && this.isConnected) void this.#start();
  }

  /** The admin mount this element talks to, without a trailing slash. */
  get baseUrl(): string {
    return (this.getAttribute('base-url') ?? '/admin').replace(/\/+$/, '');
  }

  set baseUrl(value: string) {
    this.setAttribute('base-url', value);
  }

  #build(): void {
    const shadow = this.attachShadow({ mode: 'open' });
    this.#shadow = shadow;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CONSOLE_STYLES);
    shadow.adoptedStyleSheets = [sheet];
    this.#header = h('header', { class: 'top' });
    this.#toolbar = h('div', { class: 'toolbar' });
    this.#status = h('p', { class: 'status', role: 'status' });
    this.#alert = h('p', { class: 'alert', role: 'alert' });
    this.#list = h('div', { class: 'list' });
    this.#pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
    this.#dialog = h('dialog', { class: 'dialog' });
    // Esc closes it too; the event comes a task later, so #cleanup is idempotent.
    this.#dialog.addEventListener('close', () => this.#cleanup());
    shadow.append(h('div', { class: 'wrap' }, this.#header, this.#toolbar, this.#alert, this.#status, this.#list, this.#pager), this.#dialog);
  }

  async #call(path: string): Promise<Response> {
    return (this.fetch ?? globalThis.fetch)(`${this.baseUrl}${path}`, { headers: await this.#headers(), credentials: 'same-origin' });
  }

  async #headers(): Promise<Headers> {
    const given = this.#extraHeaders;
    const extra = typeof given === 'function' ? await given() : given;
    const headers = new Headers(extra);
    headers.set(this.#session?.csrfHeader ?? 'x-keysmith-client', '1');
    return headers;
  }

  #client(): TenantKeysClient {
    const admin = createAdminClient({ baseUrl: this.baseUrl, headers: () => this.#headers(), fetch: this.fetch });
    return this.#session && this.#tenant !== this.#session.tenantId ? admin.forTenant(this.#tenant) : admin;
  }

  async #start(): Promise<void> {
    // A restart (new base-url or headers) forgets everything the last sign-in showed.
    const run = ++this.#run;
    this.#session = null;
    this.#fail('');
    this.#say('Loading…');
    this.#toolbar.replaceChildren();
    this.#list.replaceChildren();
    this.#pager.hidden = true;
    let res: Response;
    try {
      res = await this.#call('/console/session');
    } catch {
      if (run === this.#run) this.#fail('The admin API cannot be reached.');
      return;
    }
    if (run !== this.#run) return;
    if (res.status === 401) {
      this.#header.replaceChildren(h('h1', {}, 'API keys'));
      this.#fail('You are not signed in. Sign in to the application, then reload this page.');
      this.#say('');
      return;
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: unknown } } | null;
      const message = typeof body?.error?.message === 'string' ? body.error.message : `The admin API answered ${res.status}`;
      this.#header.replaceChildren(h('h1', {}, 'API keys'));
      this.#fail(`${message}.`);
      this.#say('');
      return;
    }
    const session = (await res.json()) as Session;
    if (run !== this.#run) return;
    this.#session = session;
    this.#tenant = this.#session.tenantId;
    this.#renderHeader();
    this.#renderToolbar();
    await this.#load();
  }

  #say(text: string): void {
    this.#status.textContent = text;
  }

  #fail(text: string): void {
    this.#alert.textContent = text;
  }

  #renderHeader(): void {
    const session = this.#session!;
    const parts: HTMLElement[] = [
      h(
        'div',
        {},
        h('h1', { tabindex: '-1' }, 'API keys'),
        h('p', { class: 'muted' }, `Signed in as ${session.actorId} · tenant ${this.#tenant}${session.superAdmin ? ' · super-admin' : ''}`),
      ),
    ];
    const actions = h('div', { class: 'actions' });
    if (session.superAdmin) {
      const input = h('input', { type: 'text', value: this.#tenant, autocomplete: 'off', spellcheck: 'false', required: true });
      const form = h(
        'form',
        { class: 'inline', 'aria-label': 'Switch tenant' },
        field('Tenant', input),
        h('button', { type: 'submit', class: 'btn' }, 'Switch'),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const tenant = input.value.trim();
        if (tenant === '') return;
        this.#tenant = tenant;
        this.#page = 1;
        this.#renderHeader();
        void this.#load();
      });
      actions.append(form);
    }
    actions.append(button('New key', () => this.#openCreate(), { class: 'btn primary', 'data-action': 'new' }));
    parts.push(actions);
    this.#header.replaceChildren(...parts);
  }

  #renderToolbar(): void {
    const search = h('input', { type: 'search', value: this.#search, autocomplete: 'off' });
    const form = h('form', { role: 'search', class: 'inline' }, field('Search keys', search), h('button', { type: 'submit', class: 'btn' }, 'Search'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#search = search.value.trim();
      this.#page = 1;
      void this.#load();
    });
    const revoked = check('checkbox', 'Show revoked keys', { checked: this.#includeRevoked });
    revoked.input.addEventListener('change', () => {
      this.#includeRevoked = revoked.input.checked;
      this.#page = 1;
      void this.#load();
    });
    this.#toolbar.replaceChildren(form, revoked.wrap);
  }

  async #load(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    this.#fail('');
    let page: KeyPageJson;
    try {
      page = await this.#client().list({ page: this.#page, limit: PAGE_SIZE, search: this.#search || undefined, includeRevoked: this.#includeRevoked });
      const live = page.items.filter((k) => k.status !== 'revoked').map((k) => k.id);
      if (!session.limited || live.length === 0) this.#manageable = new Set(live);
      else {
        const tenant = this.#tenant === session.tenantId ? '' : `&tenant=${encodeURIComponent(this.#tenant)}`;
        const res = await this.#call(`/console/manageable?ids=${live.map(encodeURIComponent).join(',')}${tenant}`);
        this.#manageable = new Set(res.ok ? ((await res.json()) as { ids: string[] }).ids : []);
      }
    } catch (error) {
      this.#fail(problem(error));
      this.#say('');
      return;
    }
    this.#keys = page.items;
    this.#renderList(page);
    const count = page.total === 0 ? '' : `${page.total} key${page.total === 1 ? '' : 's'}`;
    this.#say(this.#notice ? `${this.#notice} ${count}` : count);
    this.#notice = '';
  }

  #renderList(page: KeyPageJson): void {
    if (page.items.length === 0) {
      this.#list.replaceChildren(h('p', { class: 'empty' }, this.#search ? 'No key matches your search.' : 'No API keys yet. Create one with “New key”.'));
    } else {
      const head = h(
        'tr',
        {},
        ...['Name', 'Key', 'Access', 'Created', 'Last used', 'Expires', 'Status', 'Actions'].map((label) => h('th', { scope: 'col' }, label)),
      );
      const rows = page.items.map((key) => this.#row(key));
      this.#list.replaceChildren(h('table', {}, h('caption', { class: 'sr-only' }, 'API keys'), h('thead', {}, head), h('tbody', {}, ...rows)));
    }
    const pages = Math.max(1, Math.ceil(page.total / page.limit));
    this.#pager.replaceChildren(
      button('Previous', () => this.#goto(this.#page - 1), { disabled: this.#page <= 1 }),
      h('span', {}, `Page ${this.#page} of ${pages}`),
      button('Next', () => this.#goto(this.#page + 1), { disabled: this.#page >= pages }),
    );
    this.#pager.hidden = page.total <= page.limit;
    this.#restoreFocus();
  }

  #goto(page: number): void {
    this.#page = page;
    void this.#load();
  }

  #restoreFocus(): void {
    const want = this.#focusAfter;
    this.#focusAfter = null;
    if (!want) return;
    const target =
      this.#list.querySelector<HTMLElement>(`[data-id="${CSS.escape(want.id)}"][data-action="${want.action}"]`) ??
      this.#list.querySelector<HTMLElement>(`[data-id="${CSS.escape(want.id)}"]`) ??
      this.#header.querySelector<HTMLElement>('[data-action="new"]');
    target?.focus();
  }

  #row(key: ApiKeyJson): HTMLTableRowElement {
    const cell = (label: string, ...content: Child[]) => h('td', { 'data-label': label }, ...content);
    const actions = h('div', { class: 'row-actions' });
    if (this.#manageable.has(key.id) && key.status !== 'revoked') {
      const act = (label: string, action: string, run: () => void, extra = '') =>
        button(label, run, { class: `btn small ${extra}`, 'data-id': key.id, 'data-action': action, 'aria-label': `${label} ${key.name}` });
      // A key replaced by a rotation is never rotated again nor resumed (its successor is); it can still be paused, shortened or revoked.
      const replaced = key.supersededBy != null;
      const buttons = [
        act('Edit', 'edit', () => this.#openEdit(key)),
        key.enabled
          ? act('Pause', 'pause', () => void this.#setEnabled(key, false))
          : !replaced && act('Resume', 'resume', () => void this.#setEnabled(key, true)),
        !replaced && act('Rotate', 'rotate', () => this.#openRotate(key)),
        act('Revoke', 'revoke', () => this.#openRevoke(key), 'danger-outline'),
      ];
      actions.append(...buttons.filter((b): b is HTMLButtonElement => b !== false));
    }
    return h(
      'tr',
      { 'data-key': key.id },
      h('th', { scope: 'row', 'data-label': 'Name' }, key.name),
      cell('Key', h('code', {}, key.preview)),
      cell('Access', accessCell(key)),
      cell('Created', dateCell(key.createdAt)),
      cell('Last used', dateCell(key.lastUsedAt)),
      cell('Expires', dateCell(key.expiresAt)),
      cell('Status', statusBadge(key.status), key.supersededBy != null && h('p', { class: 'hint' }, 'Replaced by a rotation')),
      cell('Actions', actions),
    );
  }

  /** Closes the dialog now: whatever it showed (a token) leaves the page with it. */
  #closeDialog(): void {
    if (this.#dialog.open) this.#dialog.close();
    this.#cleanup();
  }

  #cleanup(): void {
    if (this.#dialog.open) return;
    this.#dialog.replaceChildren();
    const after = this.#afterClose;
    this.#afterClose = null;
    after?.();
  }

  /** Opens the dialog with a heading and a body; `afterClose` runs once it has closed (and been emptied). */
  #open(title: string, body: Child[], afterClose?: () => void): void {
    const id = uid('dialog-title');
    this.#dialog.setAttribute('aria-labelledby', id);
    this.#dialog.replaceChildren(h('h2', { id }, title), ...body.filter((c): c is Node | string => !!c));
    this.#afterClose = afterClose ?? null;
    if (!this.#dialog.open) this.#dialog.showModal();
    this.#dialog.querySelector<HTMLElement>('input:not([type=hidden]):not([disabled]), select, textarea, button:not([disabled])')?.focus();
  }

  /** A form in the dialog: submit runs `run`; its errors show in the dialog's alert and keep it open. */
  #form(fields: Child[], submitLabel: string, run: (form: HTMLFormElement) => Promise<void>, submitClass = 'primary'): HTMLFormElement {
    const alert = h('p', { class: 'alert', role: 'alert' });
    const submit = h('button', { type: 'submit', class: `btn ${submitClass}` }, submitLabel);
    const form = h(
      'form',
      { novalidate: true },
      ...fields,
      alert,
      h(
        'div',
        { class: 'dialog-actions' },
        button('Cancel', () => this.#closeDialog()),
        submit,
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      alert.textContent = '';
      submit.disabled = true;
      run(form)
        .catch((error: unknown) => {
          alert.textContent = problem(error);
        })
        .finally(() => {
          submit.disabled = false;
        });
    });
    return form;
  }

  #openCreate(): void {
    const session = this.#session!;
    const name = h('input', { type: 'text', required: true, maxlength: 120, autocomplete: 'off' });
    const access = accessFields(session);
    const preset = select([['', 'None'], ...session.presets.map((p): [string, string] => [p, p])]);
    const resources = h('textarea', { rows: 2, spellcheck: 'false' });
    const mcp = mcpFields();
    const expiry = expiryFields();
    const form = this.#form(
      [
        field('Name', name, 'Up to 120 characters, e.g. “CI deploys”'),
        access.element,
        field('Preset', preset),
        field('Resource limits', resources, 'Optional. One kind per line: “project: p1, p2”'),
        mcp.element,
        expiry.element,
      ],
      'Create key',
      async () => {
        if (name.value.trim() === '') throw new Error('Give the key a name');
        const body: CreateKeyBody = { name: name.value.trim(), ...access.read(), mcp: mcp.read(), ...expiry.read() };
        if (preset.value) body.preset = preset.value;
        const limits = parseResources(resources.value);
        if (Object.keys(limits).length > 0) body.resources = limits;
        const { key, token } = await this.#client().create(body);
        this.#showToken('Key created', key, token);
      },
    );
    this.#open('New API key', [form]);
  }

  /** The token, this once: a warning, the value, a copy button. Closing the dialog removes it from the page. */
  #showToken(title: string, key: ApiKeyJson, token: string): void {
    const value = h('input', { type: 'text', readonly: true, value: token, autocomplete: 'off', spellcheck: 'false', class: 'token', 'data-token': '' });
    const copied = h('p', { class: 'hint', role: 'status' });
    const copy = button(
      'Copy key',
      () => {
        value.select();
        navigator.clipboard.writeText(value.value).then(
          () => {
            copied.textContent = 'Copied to the clipboard.';
          },
          () => {
            copied.textContent = 'Copy was refused: the key is selected, press Ctrl+C (⌘C).';
          },
        );
      },
      { class: 'btn primary' },
    );
    this.#focusAfter = { id: key.id, action: 'edit' };
    this.#open(
      title,
      [
        h(
          'p',
          { class: 'warning' },
          h('strong', {}, 'Copy this key now. '),
          'It is shown only once: it is not stored anywhere and cannot be retrieved after you close this dialog.',
        ),
        field(`Secret key for ${key.name}`, value),
        copied,
        h(
          'div',
          { class: 'dialog-actions' },
          copy,
          button('Done', () => this.#closeDialog()),
        ),
      ],
      () => void this.#load(),
    );
    value.focus();
    value.select();
  }

  #openEdit(key: ApiKeyJson): void {
    const session = this.#session!;
    const name = h('input', { type: 'text', required: true, maxlength: 120, autocomplete: 'off', value: key.name });
    const access = accessFields(session, key);
    const mcp = mcpFields(key.mcp);
    const expiry = expiryFields({ current: key.expiresAt });
    const form = this.#form([field('Name', name), access.element, expiry.element, mcp.element], 'Save changes', async () => {
      if (name.value.trim() === '') throw new Error('Give the key a name');
      await this.#client().update(key.id, { name: name.value.trim(), ...access.read(), mcp: mcp.read(), ...expiry.read(), version: key.version });
      this.#focusAfter = { id: key.id, action: 'edit' };
      this.#notice = `Saved ${name.value.trim()}.`;
      this.#closeDialog();
    });
    this.#open(`Edit ${key.name}`, [form], () => void this.#load());
  }

  async #setEnabled(key: ApiKeyJson, enabled: boolean): Promise<void> {
    this.#fail('');
    try {
      await this.#client().setEnabled(key.id, enabled);
      this.#focusAfter = { id: key.id, action: enabled ? 'pause' : 'resume' };
      this.#notice = `${enabled ? 'Resumed' : 'Paused'} ${key.name}.`;
      await this.#load();
    } catch (error) {
      this.#fail(problem(error));
    }
  }

  #openRotate(key: ApiKeyJson): void {
    const grace = select(GRACE, '3600000');
    const form = this.#form(
      [h('p', {}, 'A new key with the same permissions and expiry replaces this one. Its token is shown once.'), field('The old key keeps working for', grace)],
      'Rotate key',
      async () => {
        const { key: fresh, token } = await this.#client().rotate(key.id, { graceMs: Number(grace.value), version: key.version });
        this.#showToken('Key rotated', fresh, token);
      },
    );
    this.#open(`Rotate ${key.name}`, [form]);
  }

  #openRevoke(key: ApiKeyJson): void {
    const typed = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
    const form = this.#form(
      [
        h('p', {}, 'Revoking cannot be undone: every request with this key is refused at once. The key stays listed as revoked.'),
        field(`Type the key's name to confirm: ${key.name}`, typed),
      ],
      'Revoke key',
      async () => {
        if (typed.value !== key.name) throw new Error('Type the name exactly');
        await this.#client().revoke(key.id);
        this.#focusAfter = { id: key.id, action: 'revoke' };
        this.#notice = `Revoked ${key.name}.`;
        this.#closeDialog();
      },
      'danger',
    );
    const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
    const sync = () => {
      submit.disabled = typed.value !== key.name;
    };
    typed.addEventListener('input', sync);
    sync();
    this.#open(`Revoke ${key.name}`, [form], () => void this.#load());
  }

  /** The keys on the current page (for tests and embedding apps). */
  get keys(): readonly ApiKeyJson[] {
    return this.#keys;
  }
}

/** Registers the element under `tag` (once; a second call is a no-op). Does nothing outside a browser. */
export function defineKeysmithConsole(tag = 'keysmith-console'): void {
  if (typeof customElements === 'undefined' || customElements.get(tag)) return;
  customElements.define(tag, class extends KeysmithConsole {});
}
