"""The server is restored from a backup: the tablet notices the new epoch, sends its log again,
and shows what is so meanwhile, not what it wrote long ago; nothing it wrote is lost."""
import json
import time
import uuid

import pytest

from .steps import (api_get, enrol, learner_at_a_tablet, open_journal, wait_all_sent,
                    wait_for_worker)
from .test_screens import assert_accessible

pytestmark = pytest.mark.e2e

WRITE = """async ([collection, values]) => {
  const { write } = await import('/store/records.js');
  const { session } = await import('/store/people.js');
  return write(session(), collection, null, values);
}"""
GOAL_TITLES = """async () => {
  const { list } = await import('/store/records.js');
  const { session } = await import('/store/people.js');
  return (await list(session(), 'goals')).map((goal) => goal.fields.title).sort();
}"""
LOG_SENT_AGAIN = """async (epoch) => {
  const { person, session } = await import('/store/people.js');
  const row = await person(session().person.id);
  return row.epoch === epoch && row.resend_log === false;
}"""


def _until_true(check, timeout=20):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "never true"
        time.sleep(0.1)


def _until(page, script, arg=None):
    """Evaluate the async ``script`` until it answers true (``wait_for_function`` would take
    its promise for a true answer)."""
    _until_true(lambda: page.evaluate(script, arg))


def _without_the_carried_pull(route):
    body = json.loads(route.request.post_data)
    route.continue_(post_data=json.dumps({**body, "pull": None}))


def test_after_a_restore_the_log_sent_again_does_not_show_old_words(
        app, live_server, new_context, make, auth, client):
    from backend.sync_api.restore import start_new_epoch

    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    page = new_context().new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", "2468")
    goal = page.evaluate(WRITE, ["goals", {"title": "Learn the names of the birds"}])
    url, headers = f"/api/learners/{edna.id}/goals/{goal}", auth.headers(edna)
    _until_true(lambda: client.get(url, headers=headers).status_code == 200)
    # her phone changes the goal's words, and the tablet pulls them
    changed = client.patch(url, headers=headers, json={"title": "Learn the birds by their songs"})
    assert changed.status_code == 200, changed.json
    page.evaluate("window.dispatchEvent(new Event('online'))")  # sync now
    _until(page, f"async () => (await ({GOAL_TITLES})()).includes("
                 "'Learn the birds by their songs')")
    with app.app_context():
        epoch = start_new_epoch()
    # the sync after the restore sends the log again, but its pull does not get through
    page.route("**/api/sync/push", _without_the_carried_pull)
    page.route("**/api/sync/pull", lambda route: route.abort())
    page.evaluate(WRITE, ["goals", {"title": "Walk to the park"}])
    _until(page, LOG_SENT_AGAIN, epoch)

    assert page.evaluate(GOAL_TITLES) == ["Learn the birds by their songs", "Walk to the park"]

    page.unroute("**/api/sync/push")
    page.unroute("**/api/sync/pull")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_all_sent(page)
    goals = api_get(client, f"/api/learners/{edna.id}/goals", auth.headers(edna))["items"]
    assert sorted(g["title"] for g in goals) == [
        "Learn the birds by their songs", "Walk to the park"]


def test_an_entry_only_this_tablet_still_holds_after_a_restore_is_sent_again_when_she_says(
        app, live_server, new_context, make, auth, client):
    """Her phone wrote a thought, which the tablet pulled; then the phone was lost, and the
    server was restored from a backup taken before the thought. The tablet is the only place
    that holds it: after the restore it says so under "Things to look at", and sends it again
    when she says."""
    from tests.restores import backup, new_epoch, restore

    edna, page = learner_at_a_tablet(live_server, new_context, make)
    wait_all_sent(page)
    headers = auth.headers(edna)  # her phone's sign-in, in the backup too
    dump = backup(app)
    made = client.post(f"/api/learners/{edna.id}/reflections", headers=headers,
                       json={"text": "The choir sang my song today.", "visibility": "private"})
    assert made.status_code == 201, made.json
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the tablet pulls it
    thoughts = """async () => {
      const { list } = await import('/store/records.js');
      const { session } = await import('/store/people.js');
      return (await list(session(), 'reflections')).map((r) => r.fields.text);
    }"""
    _until(page, f"async () => (await ({thoughts})()).length === 1")
    # the tablet idle and offline while the database is put back: no request of its holds a
    # connection the restore's dispose of the pool would leave open
    wait_all_sent(page)
    wait_for_worker(page)
    page.context.set_offline(True)
    restore(app, dump)
    new_epoch(app)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("text=1 thing needs you to look at it.", timeout=20000)
    assert page.evaluate(thoughts) == ["The choir sang my song today."]  # kept meanwhile

    page.goto(page.url.split("#")[0] + "#/attention")
    card = page.locator(".card", has_text="The choir sang my song today.")
    card.wait_for()
    assert "no longer has this" in card.inner_text()
    assert_accessible(page)
    card.locator("button:has-text('Send it again')").click()
    page.wait_for_selector("text=Nothing needs you just now. Thank you.")
    wait_all_sent(page)
    items = api_get(client, f"/api/learners/{edna.id}/reflections", headers)["items"]
    assert [(r["id"], r["text"]) for r in items] == [(made.json["id"],
                                                      "The choir sang my song today.")]


RENAMED = "Learn the birds by their songs"


def _a_rename_the_tablet_pulled(app, live_server, new_context, make, auth, client,
                                made=(), changed=()):
    """Edna's tablet writes the goal "Learn the birds" (and ``made``); a backup is taken; her
    phone renames it (``RENAMED``, and ``changed``), and the tablet pulls that. Returns (page,
    goal id, its API address, the phone's headers, the backup)."""
    from tests.restores import backup

    edna, page = learner_at_a_tablet(live_server, new_context, make)
    goal = page.evaluate(WRITE, ["goals", {"title": "Learn the birds", **dict(made)}])
    headers = auth.headers(edna)  # her phone's sign-in, in the backup too
    url = f"/api/learners/{edna.id}/goals/{goal}"
    _until_true(lambda: client.get(url, headers=headers).status_code == 200)
    wait_all_sent(page)
    dump = backup(app)
    renamed = client.patch(url, headers=headers, json={"title": RENAMED, **dict(changed)})
    assert renamed.status_code == 200, renamed.json
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the tablet pulls it
    _until(page, f"async () => (await ({GOAL_TITLES})()).includes({RENAMED!r})")
    return page, goal, url, headers, dump


def _restored_while_offline(app, page, dump):
    """Once the tablet has sent everything, it goes offline and the server is restored from
    ``dump``, with a new epoch."""
    from tests.restores import new_epoch, restore

    wait_all_sent(page)
    wait_for_worker(page)
    page.context.set_offline(True)
    restore(app, dump)
    new_epoch(app)


def _online(page):
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


def test_a_change_only_this_tablet_still_holds_after_a_restore_is_sent_again_by_itself(
        app, live_server, new_context, make, auth, client):
    """Her phone renamed a goal she shares with her mentor and made it private; the tablet
    pulled the change; then the phone was lost, and the server was restored from a backup
    taken before the change. The tablet, the only place that still holds it, sends it again:
    the goal keeps its new words and stays private, on the tablet and on the server."""
    page, _, url, headers, dump = _a_rename_the_tablet_pulled(
        app, live_server, new_context, make, auth, client,
        made={"visibility": "mentor"}, changed={"visibility": "private"})
    _restored_while_offline(app, page, dump)
    assert api_get(client, url, headers)["title"] == "Learn the birds"  # the backup's
    _online(page)

    _until_true(lambda: api_get(client, url, headers)["title"] != "Learn the birds")
    wait_all_sent(page)
    on_server = api_get(client, url, headers)
    assert (on_server["title"], on_server["visibility"]) == (RENAMED, "private")
    assert page.evaluate(GOAL_TITLES) == [RENAMED]
    assert page.locator("text=needs you to look at it").count() == 0


def test_a_version_kept_aside_and_a_goal_brought_back_only_this_tablet_holds_are_sent_again(
        app, live_server, new_context, make, auth, client):
    """After the backup, her phone renamed one goal twice from the same starting point (the
    server kept the second name aside, for her to choose) and brought back another goal she had
    deleted; the tablet pulled both. The phone was then lost and the server restored. The
    tablet, the only place that still holds them, sends them again: the second name is kept
    aside again, and the goal brought back is back, with its new words."""
    from tests.restores import backup, new_epoch, restore

    edna, page = learner_at_a_tablet(live_server, new_context, make)
    birds = page.evaluate(WRITE, ["goals", {"title": "Learn the birds"}])
    scarf = page.evaluate(WRITE, ["goals", {"title": "Knit a scarf"}])
    headers = auth.headers(edna)  # her phone's sign-in, in the backup too
    url = f"/api/learners/{edna.id}/goals/"
    _until_true(lambda: client.get(url + scarf, headers=headers).status_code == 200)
    wait_all_sent(page)
    assert client.delete(url + scarf, headers=headers).status_code == 200
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the tablet pulls the delete
    _until(page, f"async () => !(await ({GOAL_TITLES})()).includes('Knit a scarf')")
    wait_all_sent(page)
    dump = backup(app)

    replica = str(uuid.uuid4())
    pulled = client.post("/api/sync/pull", headers=headers, json={
        "protocol": 3, "replica": replica, "cursor": None}).json["changes"]
    revs = {c["id"]: {**dict.fromkeys(c["fields"], c["rev"]), **c.get("revs", {})}
            for c in pulled}
    mutations = [
        ("upsert", birds, {"title": "Learn the birds by their songs"},
         {"title": revs[birds]["title"]}, {}),
        ("upsert", birds, {"title": "Learn the garden birds"},
         {"title": revs[birds]["title"]}, {}),
        ("resolve", scarf, {"_deleted": False, "title": "Knit a warm scarf"}, {},
         {"_deleted": [revs[scarf]["_deleted"]]})]
    pushed = client.post("/api/sync/push", headers=headers, json={
        "protocol": 3, "replica": replica, "floor": 1, "mutations": [
            {"id": str(uuid.uuid4()), "replica": replica, "seq": seq, "op": op,
             "collection": "goals", "record_id": record_id, "learner_id": edna.id,
             "fields": fields, "base": base, "seen_conflicts": seen,
             "at": "2026-11-28T10:00:00Z"}
            for seq, (op, record_id, fields, base, seen) in enumerate(mutations, 1)]})
    assert pushed.status_code == 200, pushed.json
    assert [r["status"] for r in pushed.json["results"]] == ["applied", "conflict", "applied"]
    kept = pushed.json["results"][1]["id"]
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the tablet pulls them
    _until(page, f"async () => (await ({GOAL_TITLES})()).includes('Knit a warm scarf')")
    wait_all_sent(page)
    wait_for_worker(page)
    page.context.set_offline(True)
    restore(app, dump)
    new_epoch(app)
    assert client.get(url + scarf, headers=headers).status_code == 404  # the backup's
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    _until_true(lambda: client.get(url + scarf, headers=headers).status_code == 200)
    _until_true(lambda: api_get(client, url + birds, headers)["conflicts"])
    wait_all_sent(page)
    on_server = api_get(client, url + birds, headers)
    assert on_server["title"] == "Learn the birds by their songs"
    assert [(v["rev"], v["value"], v["author_id"]) for v in on_server["conflicts"]["title"]] \
        == [(kept, "Learn the garden birds", edna.id)]
    assert api_get(client, url + scarf, headers)["title"] == "Knit a warm scarf"
    assert page.evaluate(GOAL_TITLES) == ["Knit a warm scarf", "Learn the birds by their songs"]


def test_after_a_restore_with_the_clock_set_back_a_change_made_since_is_not_written_over(
        app, live_server, new_context, make, auth, client):
    """The tablet held a rename the restore lost. The restored server's clock is slow, and the
    goal was renamed again after the restore: its server time is earlier than the tablet's
    copy, but its seq is above the one the new epoch began at. The tablet sends the lost
    rename based on nothing: both names are kept for her to choose, neither written over."""
    from datetime import datetime, timezone

    from backend.extensions import db
    from backend.journal.records import model_for

    page, goal, url, headers, dump = _a_rename_the_tablet_pulled(
        app, live_server, new_context, make, auth, client)
    _restored_while_offline(app, page, dump)
    since = client.patch(url, headers=headers, json={"title": "Learn the garden birds"})
    assert since.status_code == 200, since.json
    with app.app_context():  # as a clock set back would have stamped it
        db.session.get(model_for("goals"), goal).updated_at = datetime(2026, 1, 1,
                                                                      tzinfo=timezone.utc)
        db.session.commit()
    _online(page)

    _until_true(lambda: api_get(client, url, headers)["conflicts"])
    wait_all_sent(page)
    on_server = api_get(client, url, headers)
    assert on_server["title"] == "Learn the garden birds"
    assert [v["value"] for v in on_server["conflicts"]["title"]] == [RENAMED]


def test_a_lost_change_goes_over_what_this_tablet_held_before_it_though_it_changed_the_goal_since(
        app, live_server, new_context, make, auth, client):
    """The tablet pulled the phone's new title, and then gave the goal a reason of its own. The
    phone was lost and the server restored. The tablet's own change goes again first and
    changes the goal on the server; the lost title still goes over the title the tablet held
    before it, with nothing set aside for her to choose."""
    page, goal, url, headers, dump = _a_rename_the_tablet_pulled(
        app, live_server, new_context, make, auth, client)
    page.evaluate("""async (id) => {
      const { write } = await import('/store/records.js');
      const { session } = await import('/store/people.js');
      return write(session(), 'goals', id, { why: 'to know them in spring' });
    }""", goal)
    _until_true(lambda: api_get(client, url, headers).get("why") == "to know them in spring")
    _restored_while_offline(app, page, dump)
    _online(page)

    _until_true(lambda: api_get(client, url, headers)["title"] != "Learn the birds")
    wait_all_sent(page)
    on_server = api_get(client, url, headers)
    assert (on_server["title"], on_server["why"], on_server["conflicts"]) == (
        RENAMED, "to know them in spring", {})
    assert page.evaluate(GOAL_TITLES) == [RENAMED]


# The tablet renames, or deletes, the goal ``id``.
RENAME_OR_DELETE = """async ([id, then]) => {
  const { remove, write } = await import('/store/records.js');
  const { session } = await import('/store/people.js');
  if (then === 'delete') return remove(session(), 'goals', id);
  return write(session(), 'goals', id, { title: 'Learn the birds of the garden' });
}"""


def _her_change_is_the_last_word(page, client, url, headers, deleted):
    """The tablet's rename (or delete) is the goal's, on the server and the tablet, with
    nothing kept aside for her to choose."""
    if deleted:
        _until_true(lambda: client.get(url, headers=headers).status_code == 404)
        wait_all_sent(page)
        assert page.evaluate(GOAL_TITLES) == []
        return
    _until_true(lambda: api_get(client, url, headers)["title"] != "Learn the birds")
    wait_all_sent(page)
    on_server = api_get(client, url, headers)
    assert (on_server["title"], on_server["conflicts"]) == ("Learn the birds of the garden", {})
    assert page.evaluate(GOAL_TITLES) == ["Learn the birds of the garden"]


@pytest.mark.parametrize("then", ["rename", "delete"])
def test_the_tablets_own_change_over_a_lost_one_is_chosen_again_after_a_restore(
        then, app, live_server, new_context, make, auth, client):
    """The tablet renamed (or deleted) the goal over her phone's new title; the phone was lost
    and the server restored. The tablet's change goes again, but what it was based on is gone,
    so the server keeps it aside beside the backup's title; the tablet had held that title
    before, and chooses its own change again: nothing is left for her to choose."""
    page, goal, url, headers, dump = _a_rename_the_tablet_pulled(
        app, live_server, new_context, make, auth, client)
    page.evaluate(RENAME_OR_DELETE, [goal, then])
    gone = then == "delete"
    _until_true(lambda: (client.get(url, headers=headers).status_code == 404) if gone else
                api_get(client, url, headers)["title"] == "Learn the birds of the garden")
    _restored_while_offline(app, page, dump)
    _online(page)

    _her_change_is_the_last_word(page, client, url, headers, gone)


@pytest.mark.parametrize("then", ["rename", "delete"])
def test_a_change_the_tablet_made_offline_over_a_lost_one_is_not_set_aside_after_a_restore(
        then, app, live_server, new_context, make, auth, client):
    """The tablet pulled her phone's new title and went offline; the phone was lost and the
    server restored. Offline, she renamed (or deleted) the goal. Back online, her change goes
    first, based on the title the restore lost, and the server keeps it aside; the tablet then
    chooses it again, and does not send the lost title it replaced: nothing is left for her
    to choose, and her change is the goal's last word."""
    page, goal, url, headers, dump = _a_rename_the_tablet_pulled(
        app, live_server, new_context, make, auth, client)
    _restored_while_offline(app, page, dump)
    page.evaluate(RENAME_OR_DELETE, [goal, then])
    _online(page)

    _her_change_is_the_last_word(page, client, url, headers, then == "delete")


OUTBOX_COUNT = """async () => {
  const { count } = await import('/store/outbox.js');
  const { session } = await import('/store/people.js');
  return count(session().person.id);
}"""


def test_a_change_queued_again_after_a_restore_is_whole_if_the_server_is_restored_again(
        app, live_server, new_context, make, auth, client):
    """Her phone made a goal shared with her mentor, and the tablet pulled it; the phone then
    renamed it, and the server was restored (to a backup with the new name). The tablet
    queued the goal's first title again, under the id of the change that made the goal, but
    could not send it yet; then the server was restored again, to a backup from before the
    goal. The tablet's change, sent first, makes the goal again: whole, shared with her mentor
    as she chose, not private with a title alone."""
    from tests.restores import backup, new_epoch, restore

    edna, page = learner_at_a_tablet(live_server, new_context, make)
    headers = auth.headers(edna)  # her phone's sign-in, in both backups
    before = backup(app)
    made = client.post(f"/api/learners/{edna.id}/goals", headers=headers,
                       json={"title": "Learn the birds", "visibility": "mentor"})
    assert made.status_code == 201, made.json
    url = f"/api/learners/{edna.id}/goals/{made.json['id']}"
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the tablet pulls it
    _until(page, f"async () => (await ({GOAL_TITLES})()).includes('Learn the birds')")
    wait_all_sent(page)
    wait_for_worker(page)
    page.context.set_offline(True)
    renamed = client.patch(url, headers=headers, json={"title": RENAMED})
    assert renamed.status_code == 200, renamed.json
    restore(app, backup(app))
    new_epoch(app)
    page.route("**/api/sync/push", lambda route: route.abort())  # what it queues stays
    _online(page)
    _until(page, f"async () => (await ({OUTBOX_COUNT})()) === 1")
    page.context.set_offline(True)
    restore(app, before)
    new_epoch(app)
    page.unroute("**/api/sync/push")
    _online(page)

    _until_true(lambda: client.get(url, headers=headers).status_code == 200)
    _until(page, f"async () => (await ({OUTBOX_COUNT})()) === 0")
    on_server = api_get(client, url, headers)
    assert on_server["visibility"] == "mentor"
    # the new name, which only the tablet held, is there too: kept beside the first for her
    # to choose, since the tablet cannot tell that nobody changed the title since
    assert {on_server["title"], *(v["value"] for v in on_server["conflicts"].get("title", []))} \
        == {"Learn the birds", RENAMED}


CHANGE = """async ([id, values]) => {
  const { write } = await import('/store/records.js');
  const { session } = await import('/store/people.js');
  return write(session(), 'goals', id, values);
}"""


@pytest.mark.parametrize("back", ["from the phone", "from here"])
def test_a_change_refused_as_the_restored_server_lacked_its_goal_goes_again_once_it_is_back(
        app, live_server, new_context, make, auth, client, back):
    """Her phone made a goal, and the tablet pulled it. Offline, the tablet added why it
    matters to her; meanwhile the server was restored to a backup from before the goal. The
    tablet's change came first, so the server, without the goal, refused it: the tablet says
    it is waiting to be sent, not that it was refused for a missing title. When the phone has
    sent the goal again, the change goes by itself; or, if she sends the goal again from the
    tablet, which alone holds it now, the change goes in it. Before, it waited for her to try
    again."""
    from sync import Client
    from tests.api.sync_http import FlaskTransport
    from tests.restores import backup, new_epoch, restore

    edna, page = learner_at_a_tablet(live_server, new_context, make)
    headers = auth.headers(edna)  # her phone's sign-in, in the backup too
    before = backup(app)
    phone = Client(FlaskTransport(client, headers))
    goal = str(uuid.uuid4())
    phone.write("goals", goal, {"title": "Learn the birds", "visibility": "private"}, edna.id)
    assert phone.sync().ok
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the tablet pulls it
    _until(page, f"async () => (await ({GOAL_TITLES})()).includes('Learn the birds')")
    _restored_while_offline(app, page, before)
    page.evaluate(CHANGE, [goal, {"why": "My grandson sends me their songs."}])
    _online(page)
    # the change, and the goal itself, which the tablet alone holds now
    page.wait_for_selector("text=2 things need you to look at them.", timeout=20000)
    page.goto(page.url.split("#")[0] + "#/attention")
    card = page.locator(".card", has_text="My grandson sends me their songs.")
    card.wait_for()
    assert "is waiting to be sent" in card.inner_text()
    assert "Why:" not in card.inner_text()
    assert_accessible(page)

    if back == "from the phone":
        assert phone.sync().ok  # the goal, sent again with the phone's log
        page.evaluate("window.dispatchEvent(new Event('online'))")
    else:
        page.locator(".card", has_text="Learn the birds").locator(
            "button:has-text('Send it again')").click()

    url = f"/api/learners/{edna.id}/goals/{goal}"
    _until_true(lambda: (client.get(url, headers=headers).get_json() or {}).get("why"))
    wait_all_sent(page)
    page.goto(page.url.split("#")[0] + "#/home")
    page.goto(page.url.split("#")[0] + "#/attention")
    page.wait_for_selector("text=Nothing needs you just now. Thank you.")
    on_server = api_get(client, url, headers)
    assert (on_server["title"], on_server["why"], on_server["conflicts"]) == (
        "Learn the birds", "My grandson sends me their songs.", {})
