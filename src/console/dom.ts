/** A child of `h`: nodes and text; empty values are skipped. */
export type Child = Node | string | null | undefined | false;

type Props = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/**
 * Builds an element without any HTML parsing (so nothing a key's name holds is ever markup):
 * attributes by `setAttribute`, `on…` as listeners, `value` as the property, children as nodes/text.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'value') (element as HTMLInputElement).value = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

let counter = 0;
/** A fresh id, unique inside the page (ids are scoped to the shadow root). */
export const uid = (prefix: string): string => `${prefix}-${++counter}`;

/** A labelled control, with an optional hint tied to it by `aria-describedby`. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLDivElement {
  control.id ||= uid('f');
  const wrap = h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
  if (hint) {
    const id = uid('hint');
    control.setAttribute('aria-describedby', id);
    wrap.append(h('p', { class: 'hint', id }, hint));
  }
  return wrap;
}

/** A checkbox or radio button inside its own label. */
export function check(type: 'checkbox' | 'radio', label: string, props: Props = {}): { wrap: HTMLLabelElement; input: HTMLInputElement } {
  const input = h('input', { type, ...props });
  return { wrap: h('label', { class: 'check' }, input, ` ${label}`), input };
}

/** A `<select>` from `[value, label]` pairs. */
export function select(options: [string, string][], selected?: string): HTMLSelectElement {
  return h('select', {}, ...options.map(([value, label]) => h('option', { value, selected: value === selected }, label)));
}

/** A button; `type="button"` unless said otherwise, so no button submits by accident. */
export function button(label: string, onclick: (event: Event) => void, props: Props = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: 'btn', ...props, onclick }, label);
}
