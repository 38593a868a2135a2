// A promise with its resolver, for code that settles it from a callback elsewhere (a process
// exit, an election, a first sync). Node 20 has no Promise.withResolvers.

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

/** A new pending promise and the function that resolves it. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
