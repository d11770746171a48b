/** A value, or a promise of it: what an application's callbacks (`authorize`, `resource`) may return. */
export type MaybePromise<T> = T | Promise<T>;
