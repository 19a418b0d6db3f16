/* The API's error names (backend/errors.py, sync/errors.py), in plain words for the person. */
export const MESSAGES = {
  invalid_request: 'Something in this entry could not be saved as it is.',
  invalid_json: 'The app sent something the server could not read.',
  unauthorized: 'Please open your journal again to send your writing.',
  invalid_credentials: 'That did not match. Please try again.',
  token_expired: 'Please open your journal again to send your writing.',
  forbidden: 'You are not allowed to change this entry.',
  locked: 'This sign-in is paused for a while. Please ask a member of staff.',
  not_found: 'This could not be found on the server.',
  conflict: 'This was changed somewhere else too.',
  epoch_changed: 'The server was restored from a backup. Sending everything again.',
  cursor_expired: 'This tablet has been away for a long time. Fetching everything again.',
  payload_too_large: 'This entry is too long to send.',
  protocol_too_old: 'This app needs updating before it can send your writing.',
  too_many_requests: 'The server is busy. Trying again soon.',
  server_error: 'The server had a problem. Your writing is safe here and will be sent later.',
  offline: 'There is no internet connection just now.',
};

/** An error answered by the API, in its one JSON shape. */
export class ApiError extends Error {
  constructor(body, status) {
    super((body && body.message) || MESSAGES[body && body.error] || `HTTP ${status}`);
    this.error = (body && body.error) || (status >= 500 ? 'server_error' : 'invalid_request');
    this.code = (body && body.code) || status;
    this.details = (body && body.details) || {};
  }
}

/** The server could not be reached at all. */
export class OfflineError extends Error {
  constructor() {
    super(MESSAGES.offline);
    this.error = 'offline';
  }
}

/** Plain words for any error. */
export function plainWords(error) {
  if (!error) return '';
  return MESSAGES[error.error] && error.error !== 'invalid_request' && error.error !== 'forbidden'
    ? MESSAGES[error.error] : (error.message || MESSAGES.server_error);
}
