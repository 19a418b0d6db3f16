/* The one IndexedDB database of the app [idb]: one connection, opened again when the browser
 * drops it, schema changes as a ladder.
 * Journal words are never stored in plain text: records, outbox entries, drafts and tokens are
 * sealed with the person's own key (store/crypto.js). */
const NAME = 'what-matters';
const VERSION = 1;

function upgrade(db, oldVersion) {
  if (oldVersion < 1) {
    // Device settings and the tablet's enrolment: {key} -> value.
    db.createObjectStore('settings');
    // People who have used this device: tile details, their wrapped key, sync state.
    db.createObjectStore('people', { keyPath: 'id' });
    // One person's copy of the journal as last pulled: sealed, under [personId, collection, id].
    const records = db.createObjectStore('records', { keyPath: ['personId', 'collection', 'id'] });
    records.createIndex('byPerson', 'personId');
    // Mutations not yet answered, in the order made; `seq` is the person's replica sequence.
    const outbox = db.createObjectStore('outbox', { keyPath: 'n', autoIncrement: true });
    outbox.createIndex('byPerson', 'personId');
    // Every answered mutation, kept so a server restored from a backup can get it again;
    // `unpulled` until a pull brings its record back (docs/sync-protocol.md).
    const log = db.createObjectStore('log', { keyPath: ['personId', 'mid'] });
    log.createIndex('byPerson', 'personId');
    // Mutations the server refused: kept until the person decides, never dropped.
    const held = db.createObjectStore('held', { keyPath: ['personId', 'mid'] });
    held.createIndex('byPerson', 'personId');
    // Unfinished writing, kept across locking and reloads.
    db.createObjectStore('drafts', { keyPath: ['personId', 'name'] });
  }
}

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    request.onsuccess = () => {
      const db = request.result;
      // Another tab opened a newer version: close so its upgrade can run, then reload there.
      db.onversionchange = () => { db.close(); drop(db); };
      // The browser closed it (storage cleared, or Safari's "Connection to Indexed Database
      // server lost" after a while in the background): the next use opens it again.
      db.onclose = () => drop(db);
      resolve(db);
    };
    request.onerror = () => reject(request.error);
    request.onblocked = () => console.warn('IndexedDB upgrade waits for another tab to close');
  });
}

let connection = null; // the promise of the open database
let opened = null; // the database it gave

function drop(db) {
  if (opened === db) {
    connection = null;
    opened = null;
  }
}

/** The open database, opened again if the browser has closed it. */
export function database() {
  if (!connection) {
    connection = open().then((db) => { opened = db; return db; },
      (error) => { connection = null; throw error; });
  }
  return connection;
}

/** A new transaction over `stores`. A connection that was closed without the browser saying so
 * is opened again, once. */
export async function newTransaction(stores, mode = 'readonly') {
  const db = await database();
  try {
    return db.transaction(stores, mode);
  } catch (error) {
    if (error.name !== 'InvalidStateError') throw error;
    drop(db);
    return (await database()).transaction(stores, mode);
  }
}

/** A request's result as a promise. */
export function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Run `work(tx)` in one transaction; resolves with its return value once the transaction commits.
 * `work` must only queue IndexedDB requests (no other awaits), or the transaction closes early. */
export async function transaction(stores, mode, work) {
  const tx = await newTransaction(stores, mode);
  return new Promise((resolve, reject) => {
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => {
      // a failure of the storage itself: the person's next try gets a new connection
      if (tx.error && tx.error.name === 'UnknownError') {
        drop(tx.db);
        tx.db.close();
      }
      reject(tx.error || new Error('transaction aborted'));
    };
    try {
      result = work(tx);
    } catch (error) {
      tx.abort();
      reject(error);
    }
  });
}

/** One value by key. */
export async function get(store, key) {
  return done((await newTransaction(store)).objectStore(store).get(key));
}

/** Put one value (with `key` for stores without a keyPath). */
export async function put(store, value, key) {
  return transaction([store], 'readwrite', (tx) => { tx.objectStore(store).put(value, key); });
}

/** Delete one value. */
export async function del(store, key) {
  return transaction([store], 'readwrite', (tx) => { tx.objectStore(store).delete(key); });
}

/** Every value of one person in a store with a byPerson index. */
export async function allOf(store, personId) {
  return done((await newTransaction(store)).objectStore(store).index('byPerson').getAll(personId));
}

/** How many values one person has in a store with a byPerson index (no decryption needed). */
export async function countOf(store, personId) {
  return done((await newTransaction(store)).objectStore(store).index('byPerson').count(personId));
}
