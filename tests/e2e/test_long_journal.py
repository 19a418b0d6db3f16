"""A learner with a long journal opens it on a new tablet: every entry arrives, the pages after
the first asked for at once, the last after them (docs/sync-protocol.md, "Pages fetched
ahead")."""
import json
import time

import pytest

from .steps import enrol, open_journal, push_sessions, wait_all_sent

pytestmark = pytest.mark.e2e

# the first page of 500; three runs ahead (500, 500 and the remaining 300), asked for at once;
# then the last cursor, open-ended, which brings only what came since (here nothing)
ENTRIES = 1_800

COUNT_RECORDS = """async () => {
  let count = 0;
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, no) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
    if (db.objectStoreNames.contains('records')) {
      count += await new Promise((ok) => { const r = db.transaction('records').objectStore('records').count(); r.onsuccess = () => ok(r.result); });
    }
    db.close();
  }
  return count;
}"""


def test_a_long_journal_arrives_whole_on_a_new_tablet_its_pages_fetched_at_once(
        live_server, new_context, make, auth, client):
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    push_sessions(client, auth.headers(edna), edna.id, ENTRIES)
    page = new_context().new_page()
    pulls = {}  # request -> [body, started, finished]
    page.on("request", lambda r: r.url.endswith("/api/sync/pull") and pulls.setdefault(
        r, [json.loads(r.post_data), time.monotonic(), None]))
    page.on("requestfinished", lambda r: r in pulls and pulls[r].__setitem__(
        2, time.monotonic()))

    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", "2468")
    wait_all_sent(page, timeout=60000)

    assert page.evaluate(COUNT_RECORDS) == ENTRIES
    asked = [body for body, _, _ in pulls.values()]
    assert asked[0]["ahead"] == 4 and asked[0]["cursor"] is None
    assert len(asked) == 5 and all("ahead" not in body for body in asked[1:])
    # the three runs were in the server at the same time; the last was asked for after them
    *runs, (_, start_last, _) = list(pulls.values())[1:]
    assert max(start for _, start, _ in runs) < min(end for _, _, end in runs)
    assert start_last >= max(end for _, _, end in runs)
    page.evaluate("location.hash = '#/sessions'")
    page.wait_for_selector("h1:has-text('What I have done')")
    assert page.locator(".card-list > li").count() == ENTRIES
