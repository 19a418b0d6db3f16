/* fetch() for our own JSON API: a bearer token, no cookies, errors in the one JSON shape. */
import { ApiError, OfflineError } from '../store/errors.js';

/** Call the API; resolves with the JSON body or rejects with ApiError / OfflineError. */
export async function api(path, { method = 'GET', body, token, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new OfflineError();
  }
  // A proxy or a restarting server: as good as offline, try again later.
  if ([502, 503, 504].includes(response.status)) throw new OfflineError();
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(data, response.status);
  return data;
}
