"""A restore from a backup older than a pairing ended (docs/deployment.md, "Restoring"): the
backup has the pairing active again, and only ``flask sync new-epoch``, making again what the
access log holds, keeps the mentor's phone from getting the learner's entries back.

David Marsh's phone holds what Edna Whitworth shares with him; a backup is taken. While his
phone is offline, staff end the pairing through the running server, which writes it to its
access log. The server is stopped, the backup put back (the pairing is active again), the
command run through the same app, so on the same access log, and the server started again.
Back online, David's phone syncs: nothing of Edna's is left on his screens or in its storage.
"""
import urllib.request

import pytest

from backend.extensions import db
from backend.models import Pairing

from ..restores import backup, logged, new_epoch, restore
from .steps import MENTOR_PASSWORD, go
from .test_sync_access import PIN, come_online_and_sync, mentor_phone, stored

pytestmark = pytest.mark.e2e

# What the app itself reads for the person signed in, with their key: every entry it keeps,
# and the learners it keeps to show when the phone is offline.
READABLE = """async () => {
  const { list } = await import('/store/records.js');
  const { loadSealed, session } = await import('/store/people.js');
  const s = session();
  const entries = [];
  for (const collection of ['goals', 'sessions', 'reflections', 'contributions', 'checkins']) {
    entries.push(...(await list(s, collection)).map((r) => ({ collection, id: r.id,
                                                             learner: r.learner_id })));
  }
  return { entries, learners: (await loadSealed(s, 'learners', [])).map((l) => l.id) };
}"""


def end_pairing_on_the_server(server, headers, pairing):
    """An administrator ends the pairing over HTTP, through the server the phone syncs with."""
    request = urllib.request.Request(f"{server.url}/api/pairings/{pairing.id}/end", data=b"{}",
                                     method="POST",
                                     headers={**headers, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def pairing_ended(app, pairing):
    with app.app_context():
        return db.session.get(Pairing, pairing.id).ended_at is not None


def test_a_pairing_ended_after_the_backup_stays_ended_on_the_mentors_phone(
        app, live_server, new_context, make, auth, tmp_path):
    """The backup's active pairing would give David's phone Edna's entries back on its next
    sync; the access log, made again by the command, takes them off it, as before the
    restore. (Run the command on a log without the line, and they stay.)"""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    david = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    admin = make.staff(org, is_admin=True)
    pairing = make.pairing(david, edna)
    # in Edna's journal, shared with her mentor: David's visit, and a goal of hers
    visit = make.session(edna, author=david, activity="Looked at old photographs",
                         visibility="mentor")
    goal = make.goal(edna, title="Walk to the bandstand", visibility="mentor")
    make.record("reflections", edna, text="I miss the old house")  # hers alone
    # the server and the command below share one app, so one access log: this test's own
    assert live_server.app is app
    assert app.config["ACCESS_LOG"] == str(tmp_path / "access.jsonl")

    phone = mentor_phone(live_server, new_context, david)
    go(phone, "hours", "text=Edna Whitworth: Looked at old photographs")  # once it is pulled
    go(phone, f"visit/{edna.id}/{visit.id}", "h1:has-text('A visit with Edna Whitworth')")
    assert phone.input_value("input[name=activity]") == "Looked at old photographs"
    go(phone, "mentor", ".card:has-text('Edna Whitworth') >> text=Looked at old photographs")
    assert {(e["id"], e["learner"]) for e in phone.evaluate(READABLE)["entries"]} == {
        (visit.id, edna.id), (goal.id, edna.id)}
    dump = backup(app)

    phone.context.set_offline(True)
    end_pairing_on_the_server(live_server, auth.headers(admin), pairing)
    assert f"/api/pairings/{pairing.id}/end" in live_server.requests
    assert [(line["change"], line["id"]) for line in logged(app)] == [
        ("pairing_ended", pairing.id)]

    # the operator's restore: the app stopped, the backup put back, the command, the app again
    live_server.stop()
    restore(app, dump)
    assert not pairing_ended(app, pairing)
    output = new_epoch(app)
    live_server.start()
    assert "1 change this database lacked" in output
    assert f"ended pairing {pairing.id} (mentor {david.id}, learner {edna.id})" in output
    assert pairing_ended(app, pairing)

    come_online_and_sync(phone)

    go(phone, "hours", "text=No visits logged yet.")
    assert phone.locator("text=Looked at old photographs").count() == 0
    go(phone, "mentor", "text=You have no learners yet.")
    assert phone.locator("text=Edna Whitworth").count() == 0
    # the visit's own address (the back button, a bookmark) says so, with the way back
    go(phone, f"visit/{edna.id}/{visit.id}", "h1:text-is('This visit is not here')")
    assert phone.is_visible("text=You are no longer paired with that learner.")
    assert phone.locator("input[name=activity]").count() == 0
    phone.click("a:has-text('Go to My learners')")
    phone.wait_for_selector("text=You have no learners yet.")
    # and in the phone's storage: no entry of hers, read with his key or without it
    assert phone.evaluate(READABLE) == {"entries": [], "learners": []}
    assert stored(phone) == {"records": [], "outbox": [], "held": []}
