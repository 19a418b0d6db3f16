/* WebCrypto for the shared tablet: each person's journal is sealed with AES-GCM under their own
 * random data key, which is kept on the device only wrapped by a key derived from their PIN or
 * password (PBKDF2-SHA-256), or, for a person without a PIN, by the device key (see README). */
const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256; stored with each person so it can rise later. */
export const PBKDF2_ITERATIONS = 600000;

/** n random bytes. */
export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** A random UUID (version 4), made on this device. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = randomBytes(16);
  b[6] = (b[6] & 0x0f) | 0x40;
  return uuidText(b);
}

/** A UUID of version 7 (RFC 9562) for an entry or a change: the time in milliseconds, then
 * random bits. Ids made one after another sort together, so the server's index of ids takes
 * a sync's new entries on the same few pages instead of one random page each
 * (docs/performance.md). The time it holds is no secret: each entry and change carries its
 * own. */
export function timeUuid(now = Date.now()) {
  const b = randomBytes(16);
  let ms = now;
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6] & 0x0f) | 0x70;
  return uuidText(b);
}

function uuidText(b) {
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The key-encryption key for a secret (a PIN or a password) and a per-person salt. */
export async function deriveKek(secret, salt, iterations = PBKDF2_ITERATIONS) {
  const base = await subtle.importKey('raw', encoder.encode(secret), 'PBKDF2', false, ['deriveKey']);
  return subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base,
    { name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
}

/** A device key: wraps the data keys of people without a PIN; it can never be exported. */
export function newDeviceKey() {
  return subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
}

/** A fresh data key, extractable only so that it can be wrapped once. */
export function newDataKey() {
  return subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

/** The data key wrapped by a key-encryption key: {iv, key}. */
export async function wrap(dataKey, kek, aad) {
  const iv = randomBytes(12);
  const key = await subtle.wrapKey('raw', dataKey, kek,
    { name: 'AES-GCM', iv, additionalData: encoder.encode(aad) });
  return { iv, key: new Uint8Array(key) };
}

/** The data key back; rejects when the PIN (so the kek) is wrong. It stays extractable in
 * memory only so that a new PIN can wrap it again; on the device it is only ever kept wrapped. */
export function unwrap(wrapped, kek, aad) {
  return subtle.unwrapKey('raw', wrapped.key, kek,
    { name: 'AES-GCM', iv: wrapped.iv, additionalData: encoder.encode(aad) },
    { name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
}

/** Encrypt a JSON value; `aad` binds it to its place (person, store, key) so blobs cannot be swapped. */
export async function seal(dataKey, value, aad) {
  const iv = randomBytes(12);
  const ct = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(aad) },
    dataKey, encoder.encode(JSON.stringify(value)));
  return { iv, ct: new Uint8Array(ct) };
}

/** Decrypt what `seal` made. */
export async function open(dataKey, sealed, aad) {
  const plain = await subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv, additionalData: encoder.encode(aad) },
    dataKey, sealed.ct);
  return JSON.parse(decoder.decode(plain));
}

/** A UUID named by `text` (version 5 style, SHA-256): the same on every device, so that two
 * tablets writing a learner's one profile write the same record. */
export async function nameUuid(text) {
  const b = new Uint8Array(await subtle.digest('SHA-256', encoder.encode(text))).slice(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
