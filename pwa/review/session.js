/* The staff member's sign-in for the review page: kept in this tab only (sessionStorage), so
 * it goes when the tab is closed, and never reaches the tablets' journal store. */
import { api } from '../sync/api.js';

const KEY = 'what-matters-review';

/** {token, person} of the signed-in member of staff, or null. */
export function current() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

/** Sign in with email and password; resolves with {token, person}. */
export async function signIn(email, password) {
  const answer = await api('/api/auth/login', { method: 'POST', body: { email, password, device_name: 'Review page' } });
  const held = { token: answer.token, person: answer.person };
  sessionStorage.setItem(KEY, JSON.stringify(held));
  return held;
}

/** Sign out here and on the server. */
export async function signOut() {
  const held = current();
  sessionStorage.removeItem(KEY);
  if (held) {
    try {
      await api('/api/auth/logout', { method: 'POST', token: held.token });
    } catch {
      /* signed out here anyway */
    }
  }
}

/** GET a JSON path of the API as the signed-in member of staff. */
export function get(path) {
  const held = current();
  return api(path, { token: held && held.token });
}

/** Download a CSV export (the API wants the bearer token, so a plain link cannot). */
export async function download(path, fallbackName) {
  const held = current();
  const response = await fetch(path, { headers: { Authorization: `Bearer ${held.token}` }, credentials: 'omit', cache: 'no-store' });
  if (!response.ok) throw new Error('The export could not be made. Please try again.');
  const name = (/filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '') || [])[1] || fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
