/* A one-time message for the next screen: "Saved on this tablet." */
import { deviceKey } from '../store/settings.js';
import { on } from '../store/events.js';

let message = null;

// Whether staff enrolled this device as a care home's shared tablet (it holds a device key):
// read once on start, then told by the settings store when it changes. `deviceWord()` must
// answer at once, so it uses this.
let enrolled = false;
let told = false; // a change announced before the first read answers is the newer word
deviceKey().then((key) => { if (!told) enrolled = !!key; }, () => {});
on('enrolment', (yes) => { told = true; enrolled = yes; });

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

/** "phone" on a phone, else "tablet": for "Saved on this tablet."
 * The rule: an enrolled tablet is always a "tablet", at any zoom or size of window. Any other
 * device (a mentor's own) is a "phone" when its browser says it is one, or when its *screen*'s
 * shorter side is under 600 CSS pixels; never by the window, which 200% zoom halves. */
export function deviceWord() {
  if (enrolled) return 'tablet';
  const ua = navigator.userAgent;
  const phone = /iPhone|iPod/.test(ua) || (/Android/.test(ua) && /Mobile/.test(ua))
    || Math.min(screen.width, screen.height) < 600;
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
