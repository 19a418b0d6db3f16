/* One event bus for the page: the store and the sync client announce, the screens listen. */
export const bus = new EventTarget();

/** Announce `name` with an optional detail. */
export function emit(name, detail) {
  bus.dispatchEvent(new CustomEvent(name, { detail }));
}

/** Listen to `name`; returns a function that stops listening. */
export function on(name, handler) {
  const listener = (event) => handler(event.detail);
  bus.addEventListener(name, listener);
  return () => bus.removeEventListener(name, listener);
}
