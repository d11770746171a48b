/**
 * The part of a request path below a mount point, from the pattern the framework matched (such as
 * `/admin/*` or `/orgs/:org/admin/*`). Counting segments works with parameters in the mount path
 * and keeps the rest percent-encoded for the admin router to decode once.
 */
export function pathBelowMount(path: string, mountPattern: string): string {
  const base = mountPattern.split('/').filter((s) => s !== '' && s !== '*');
  const q = path.indexOf('?');
  const parts = (q === -1 ? path : path.slice(0, q)).split('/').slice(1);
  return '/' + parts.slice(base.length).join('/');
}

/** The mount point itself as the request reached it (`/orgs/acme/admin` for `/orgs/:org/admin/*`), without a trailing slash. */
export function mountBase(path: string, mountPattern: string): string {
  const base = mountPattern.split('/').filter((s) => s !== '' && s !== '*');
  const q = path.indexOf('?');
  const parts = (q === -1 ? path : path.slice(0, q)).split('/').slice(1);
  return base.length === 0 ? '' : '/' + parts.slice(0, base.length).join('/');
}
