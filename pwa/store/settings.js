/* Settings of this device (not of a person): enrolment, text size, contrast, lock time. */
import { get, put, del } from './db.js';

const DEFAULTS = { textSize: 'normal', contrast: 'normal', lockMinutes: 10, speechRate: 0.9 };

/** One setting, or its default. */
export async function setting(name) {
  const value = await get('settings', name);
  return value === undefined ? DEFAULTS[name] : value;
}

/** Change one setting. */
export function setSetting(name, value) {
  return put('settings', value, name);
}

/** The enrolled tablet's key, or undefined on a personal device. */
export function deviceKey() {
  return get('settings', 'deviceKey');
}

/** Enrol this tablet (staff pasted or scanned its key). */
export function setDeviceKey(key) {
  return put('settings', key, 'deviceKey');
}

/** Forget the enrolment (the people and their sealed journals stay). */
export function forgetDeviceKey() {
  return del('settings', 'deviceKey');
}
