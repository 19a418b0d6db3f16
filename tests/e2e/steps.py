"""What a person does in the app, as small steps the end-to-end tests share."""
import json
import uuid

from .conftest import TABLET

SCREENSHOTS = __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# Every IndexedDB value of the origin, with bytes spelled out as text, so a test can look for
# words in what a person with the browser's developer tools could read.
DUMP_INDEXEDDB = """async () => {
  const asText = (v) => {
    if (v instanceof ArrayBuffer) v = new Uint8Array(v);
    if (ArrayBuffer.isView(v)) return new TextDecoder('latin1').decode(v);
    if (v instanceof CryptoKey) return '[CryptoKey]';
    if (Array.isArray(v)) return v.map(asText);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asText(x)]));
    return v;
  };
  const out = {};
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, no) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    for (const name of db.objectStoreNames) {
      const store = db.transaction(name).objectStore(name);
      const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()].map((r) => new Promise((ok) => { r.onsuccess = () => ok(r.result); })));
      out[`${info.name}/${name}`] = keys.map((k, i) => [asText(k), asText(values[i])]);
    }
    db.close();
  }
  return JSON.stringify(out);
}"""


def enrol(page, server, device_key):
    """Staff set up the tablet with its key; the tiles appear."""
    page.goto(f"{server.url}/#/setup")
    page.fill("input[name=key]", device_key)
    page.click("text=Save and show the people")
    page.wait_for_selector("h1:has-text('Who is using the tablet?')")


def open_journal(page, name, pin=None):
    """Tap a person's tile, type the PIN on the keypad, wait for their home page."""
    page.click(f".tile:has-text('{name}')")
    if pin:
        page.wait_for_selector("text=Your PIN")
        for digit in pin:
            page.click(f".keypad button:text-is('{digit}')")
        page.click("button:has-text('Open my journal')")
    page.wait_for_selector("a.action.first:has-text('Record what I did')")


def learner_at_a_tablet(server, new_context, make, name="Edna Whitworth", pin="2468"):
    """A learner of a new home with her journal open on a new tablet: (the learner, the page)."""
    org = make.org()
    learner = make.learner(org, name=name, pin=pin)
    page = new_context().new_page()
    enrol(page, server, make.device(org).raw_key)
    open_journal(page, name, pin)
    return learner, page


def wait_all_sent(page, timeout=20000):
    page.wait_for_selector(".status-line.sent:has-text('All sent')", timeout=timeout)


def wait_for_worker(page):
    """Wait until the service worker is active, controls the page and holds the shell."""
    page.wait_for_function(
        "() => !!navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'",
        timeout=20000)


def record_session(page, activity, minutes_words="30 minutes"):
    """From home: "Record what I did", say what, pick how long, Save (three taps)."""
    page.click("text=Record what I did")
    page.fill("input[name=activity]", activity)
    page.click(f"label.choice:has-text('{minutes_words}')")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved on this tablet.")


def indexeddb_text(page):
    return page.evaluate(DUMP_INDEXEDDB)


def api_get(client, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data(as_text=True))


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def push_sessions(client, headers, learner_id, count, **shown):
    """The learner's other device pushes ``count`` sessions, in pushes of 1,000; returns
    their record ids in order. ``shown``: more fields of each (``visibility="mentor"``)."""
    replica, ids = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(count)]
    mutations = [{"id": str(uuid.uuid4()), "replica": replica, "seq": n, "op": "upsert",
                  "collection": "sessions", "record_id": record_id, "learner_id": learner_id,
                  "base": {}, "at": "2026-11-20T10:00:00Z",
                  "fields": {"activity": f"Walk number {n}", "minutes": 20, "date": "2026-11-20",
                             **shown}}
                 for n, record_id in enumerate(ids, 1)]
    for start in range(0, count, 1000):
        response = client.post("/api/sync/push", headers=headers, json={
            "protocol": 3, "replica": replica, "floor": 1,
            "mutations": mutations[start:start + 1000]})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert {r["status"] for r in response.json["results"]} == {"applied"}
    return ids


def go(page, route, selector):
    """Go to a screen by its address (`#/route`) and wait for ``selector`` on it."""
    page.evaluate(f"location.hash = '#/{route}'")
    page.wait_for_selector(selector)


def open_entry(page, collection, headline):
    """Open an entry from its collection's list, by the words it is listed with."""
    go(page, collection, f"[aria-label='Open: {headline}']")
    page.click(f"[aria-label='Open: {headline}']")


MENTOR_PASSWORD = "a long mentor password"


def staff_signed_in(browser, server, person, password):
    """A member of staff signed in by email and password on a new tablet-sized browser, their
    page "For staff" open: (context, page)."""
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.goto(f"{server.url}/#/sign-in")
    page.fill("input[name=email]", person.email)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector(f"h1:has-text('Hello, {person.display_name}')")
    return context, page


def sign_in_mentor(page, mentor, password=MENTOR_PASSWORD):
    """A mentor (made with ``password``) signs in on the sign-in screen; their learners show."""
    page.fill("input[name=email]", mentor.email)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('My learners')")


# Counts the syncs the page finishes (the bridge's phase leaves "sending") in
# ``window.syncsDone``, and keeps the problem the last one ended with in ``window.lastProblem``.
WATCH_SYNCS = """async () => {
  const { on } = await import('/store/events.js');
  window.syncsDone = 0;
  window.lastProblem = null;
  let sending = false;
  on('sync-state', (state) => {
    if (state.phase === 'sending') sending = true;
    else if (sending) {
      sending = false;
      window.lastProblem = state.problem;
      window.syncsDone += 1;
    }
  });
}"""


def watch_syncs(page):
    """Start counting the syncs the page finishes (again after each reload)."""
    page.evaluate(WATCH_SYNCS)
