/* A one-time message for the next screen: "Saved on this tablet." */
let message = null;

/** Show `words` on the next screen. */
export function flash(words) {
  message = words;
}

/** The message, once. */
export function takeFlash() {
  const m = message;
  message = null;
  return m;
}
