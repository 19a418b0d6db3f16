/* Settings of this device (not of a person): enrolment, text size, contrast, lock time. */
import { get, put, del } from './db.js';
import { emit } from './events.js';

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
export async function setDeviceKey(key) {
  await put('settings', key, 'deviceKey');
  emit('enrolment', true);
}

/** Forget the enrolment (the people and their sealed journals stay). */
export async function forgetDeviceKey() {
  await del('settings', 'deviceKey');
  emit('enrolment', false);
}
