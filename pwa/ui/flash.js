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

/** Why something could not be saved on this device (its storage full or failing), and what to
 * do, in plain words: what was written is still on the screen. */
export function notSavedHere(error) {
  const device = deviceWord();
  if (isFull(error)) return `This could not be saved: this ${device} is full. What you wrote is still here. ${whenFull()}`;
  return `This could not be saved on this ${device} just now. What you wrote is still here. Please try again.`;
}

/** Whether `error` (a browser's, or a sync report's) says the device's storage is full. */
export function isFull(error) {
  return !!error && (error.name === 'QuotaExceededError' || error.error === 'storage_full');
}

/** What to do when this device is full: on a care home's tablet, staff help. */
export function whenFull() {
  return deviceWord() === 'tablet' ? 'Please ask a member of staff to help.' : 'Please make some room on this phone, then try again.';
}
