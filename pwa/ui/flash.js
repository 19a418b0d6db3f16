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

/** "phone" on a phone, else "tablet": for "Saved on this tablet." */
export function deviceWord() {
  const ua = navigator.userAgent;
  const phone = /iPhone|iPod/.test(ua) || (/Android/.test(ua) && /Mobile/.test(ua)) || window.innerWidth < 600;
  return phone ? 'phone' : 'tablet';
}

/** "Saved on this tablet." */
export function savedHere() {
  return `Saved on this ${deviceWord()}.`;
}
