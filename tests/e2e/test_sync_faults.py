"""The PWA's own sync client (pwa/sync/client.js) under network faults, in real Chromium: a push
whose answer is lost after the server applied it, a push sent twice, pages of a long pull lost
or refused with a 503, the tablet going offline and the page reloaded in the middle of a sync,
two tablets of one learner changing the same entries offline, and a server restored from a
backup that kept its epoch.

After each: the server holds every entry once, with the words the person wrote last; every
mutation the tablet made was processed once (one stored result per seq, and the same answer
every time it was sent); a mutation whose answer the tablet heard is not sent again; the
tablet's outbox is empty and it says "All sent" (or, while a change the server refused waits
for her, that not everything could be sent); and another device shows the same journal as
the tablet and the server, field for field, conflicts included.

The faults are Playwright routes (``Faults``). Where their order is chosen at random, it comes
from ``SEED``, so a failure reproduces.
"""
import json
import random
import threading
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import delete, insert, select

from backend.extensions import db
from backend.models import COLLECTIONS as JOURNAL_MODELS, SyncMutation, SyncReplica, SyncState
from sync import Client

from ..api.sync_http import FlaskTransport
from .steps import (api_get, enrol, go, open_entry, open_journal, push_sessions,
                    record_session, wait_all_sent, wait_for_worker, watch_syncs)

pytestmark = pytest.mark.e2e

SEED = 20261128
PIN = "2468"
COLLECTIONS = ["profile", "goals", "sessions", "contributions", "reflections", "checkins"]

WRITE = """async ([collection, id, values]) => {
  const { write } = await import('/store/records.js');
  const { session } = await import('/store/people.js');
  return write(session(), collection, id, values);
}"""
# Every entry as the person sees it (the pulled copy with their own changes laid over it).
SHOWN = """async (collections) => {
  const { list } = await import('/store/records.js');
  const { session } = await import('/store/people.js');
  const out = {};
  for (const collection of collections) {
    for (const r of await list(session(), collection)) {
      out[r.id] = { collection, fields: r.fields, revs: r.revs, conflicts: r.conflicts || {} };
    }
  }
  return out;
}"""
# What the replica holds besides its records, and the sync's state as the trust line shows it.
LOCAL = """async () => {
  const outbox = await import('/store/outbox.js');
  const { person, session } = await import('/store/people.js');
  const { syncState } = await import('/sync/sw-bridge.js');
  const s = session();
  const row = await person(s.person.id);
  return {
    outbox: await outbox.count(s.person.id),
    unpulled: (await outbox.unpulled(s)).length,
    held: (await outbox.held(s)).map(({ mutation, error }) => ({
      id: mutation.id, record_id: mutation.record_id, fields: mutation.fields,
      error: error && error.error })),
    log: (await outbox.logItems(s)).map((item) => item.mutation.id),
    replica: row.replica, next_seq: row.next_seq, last_synced: row.last_synced,
    phase: syncState().phase,
  };
}"""


class Faults:
    """Answers a page's sync requests through the real server, each with the next fault of
    its plan (then ``pass``), and keeps every exchange: its path, fault and body, ``answers``
    (the (status, body) the server gave, whether the tablet heard them or not) and ``heard``
    (whether the answer reached the tablet).

    Faults: ``pass`` (sent and answered); ``lost`` (the server answers, the answer never
    arrives); ``twice`` (the request is duplicated: sent twice, the tablet hears the second
    answer); ``race`` (sent twice at the same moment, as a retry that overtakes the first:
    the tablet hears one); ``503`` (a proxy refuses it before the server sees it); ``504``
    (the server answers, a proxy gives up and says 504); ``offline`` (the server answers, and
    the tablet loses its network before it hears); ``hold`` (left unanswered until the test
    calls ``release``). A pull's plan entry may be ``(role, fault)``: it waits for a request
    of that role, ``first`` (a page that asks for pages ahead), ``run`` (a page fetched
    ahead, not the last) or ``last`` (the last cursor of a list of pages ahead), letting the
    others pass."""

    def __init__(self, page, push=(), pull=()):
        self.page = page
        self.plans = {"push": list(push), "pull": list(pull)}
        self.exchanges, self.held = [], []
        self._roles = {}  # cursor from an ``ahead`` list -> "run" or "last"
        page.route("**/api/sync/push", lambda route: self._handle("push", route))
        page.route("**/api/sync/pull", lambda route: self._handle("pull", route))

    def used_up(self):
        return not self.plans["push"] and not self.plans["pull"]

    def of(self, fault):
        return [e for e in self.exchanges if e["fault"] == fault]

    def role(self, body):
        """What a pull request is: ``first``, ``run``, ``last`` (above) or ``page``."""
        if body.get("ahead"):
            return "first"
        return self._roles.get(body.get("cursor"), "page")

    def _next_fault(self, path, body):
        plan = self.plans[path]
        if not plan:
            return "pass"
        if isinstance(plan[0], tuple):
            role, fault = plan[0]
            if role != self.role(body):
                return "pass"
            plan.pop(0)
            return fault
        return plan.pop(0)

    def _fetch(self, route, exchange):
        response = route.fetch()
        answer = response.json()
        exchange["answers"].append((response.status, answer))
        if response.status == 200 and answer.get("ahead"):  # the roles of the pages after
            *runs, last = answer["ahead"]
            self._roles.update({cursor: "run" for cursor in runs}, **{last: "last"})
        return response

    def _handle(self, path, route):
        body = json.loads(route.request.post_data)
        fault = self._next_fault(path, body)
        exchange = {"path": path, "fault": fault, "body": body, "answers": [],
                    "heard": fault in ("pass", "twice", "race")}
        self.exchanges.append(exchange)
        if fault == "503":
            route.fulfill(status=503, content_type="text/html", body="Service Unavailable")
        elif fault == "hold":
            self.held.append((route, exchange))
        elif fault == "lost":
            self._fetch(route, exchange)
            route.abort()
        elif fault == "504":
            self._fetch(route, exchange)
            route.fulfill(status=504, content_type="text/html", body="Gateway Timeout")
        elif fault == "offline":
            self._fetch(route, exchange)
            self.page.context.set_offline(True)
            route.abort("internetdisconnected")
        elif fault == "twice":
            self._fetch(route, exchange)
            route.fulfill(response=self._fetch(route, exchange))
        elif fault == "race":
            twin = threading.Thread(target=_send, args=(
                route.request.url, route.request.post_data, route.request.headers, exchange))
            twin.start()
            response = self._fetch(route, exchange)
            twin.join()
            route.fulfill(response=response)
        else:
            route.fulfill(response=self._fetch(route, exchange))

    def release(self, deliver):
        """Send the oldest held request to the server; its answer reaches the tablet only if
        ``deliver`` (else the request stays open, for the page to be reloaded under it)."""
        route, exchange = self.held.pop(0)
        response = self._fetch(route, exchange)
        exchange["heard"] = deliver
        if deliver:
            route.fulfill(response=response)
        return exchange

    def push_results(self):
        """Mutation id -> every result the server gave for it (deferred ones left out: a
        deferred mutation was not processed)."""
        results = {}
        for exchange in self.exchanges:
            for status, answer in exchange["answers"]:
                if exchange["path"] == "push" and status == 200:
                    for result in answer["results"]:
                        if result["status"] != "deferred":
                            results.setdefault(result["id"], []).append(result)
        return results


def _send(url, body, headers, exchange):
    """Send a copy of a request straight to the server (from another thread)."""
    headers = {k: v for k, v in headers.items() if k.lower() in ("authorization", "content-type")}
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            exchange["answers"].append((response.status, json.loads(response.read())))
    except urllib.error.HTTPError as error:
        exchange["answers"].append((error.code, error.read().decode(errors="replace")))


# --- what the person does -------------------------------------------------------------------

def open_tablet(live_server, new_context, make, org, learner_name, device_name, before=None):
    """A new tablet of ``org`` with the learner's journal open and synced; ``before(page)``
    runs once the page exists (to route its requests before the first sync)."""
    page = new_context().new_page()
    if before:
        before(page)
    enrol(page, live_server, make.device(org, name=device_name).raw_key)
    open_journal(page, learner_name, PIN)
    watch_syncs(page)
    return page


def reopen(page, learner_name):
    """After a reload: tap the tile and type the PIN again (the key lives in memory only)."""
    page.wait_for_selector(f".tile:has-text('{learner_name}')")
    open_journal(page, learner_name, PIN)
    watch_syncs(page)


def go_home(page):
    go(page, "home", "a.action.first:has-text('Record what I did')")


def change_goal(page, title, name, value):
    """Open a goal from "My goals", change one of its fields, save."""
    open_entry(page, "goals", title)
    page.click("a:has-text('Change')")
    page.fill(f"[name={name}]", value)
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('My goals')")


def delete_goal(page, title):
    open_entry(page, "goals", title)
    page.click("button:has-text('Delete')")
    page.click("button:has-text('Yes, delete it')")
    page.wait_for_selector("h1:has-text('My goals')")


def write_reflection(page, words):
    go(page, "reflection/new", "textarea[name=text]")
    page.fill("textarea[name=text]", words)
    page.click("button:has-text('Save')")
    page.wait_for_selector(f"h3:has-text('{words}')")


def change_reflection(page, old, new):
    open_entry(page, "reflections", old)
    page.click("a:has-text('Change')")
    page.fill("textarea[name=text]", new)
    page.click("button:has-text('Save')")
    page.wait_for_selector(f"h3:has-text('{new}')")


def write_what_matters(page, title, name, words):
    go_home(page)
    page.click(f"[aria-label='Write: {title}']")
    page.fill(f"textarea[name={name}]", words)
    page.click("button:has-text('Save')")
    go_home(page)


# --- waiting for syncs ------------------------------------------------------------------------

def pump(page, check, timeout=20, what="the condition"):
    """Wait until ``check()`` is true, letting the page's events and routes run meanwhile."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        page.wait_for_timeout(25)


def sync_once(page):
    """Ask for a sync as coming back online does; return the problem it ended with, or None."""
    done = page.evaluate("window.syncsDone")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    pump(page, lambda: page.evaluate("window.syncsDone") > done, what="a sync to end")
    return page.evaluate("window.lastProblem")


def sync_until_clean(page, faults=None, tries=12):
    """Sync again (as the app does when it comes back online) until a sync ends without a
    problem, with the outbox empty and every planned fault used; then the trust line must say
    "All sent", or, while a change the server refused waits for her, that not everything could
    be sent."""
    problems = []
    for _ in range(tries):
        problem = sync_once(page)
        local = page.evaluate(LOCAL)
        if problem is None and local["outbox"] == 0 and (faults is None or faults.used_up()):
            if local["held"]:
                page.wait_for_selector(".status-line.waiting:has-text('Not everything could "
                                       "be sent.')")
            else:
                wait_all_sent(page)
            return
        problems.append(problem)
    raise AssertionError(f"no clean sync after {tries} tries: {problems}, "
                         f"plans left {faults and faults.plans}")


# --- what the server holds --------------------------------------------------------------------

def server_journal(client, headers):
    """Every entry of the learner on the server, as a new device pulling from the start gets
    it (the reference client, ``sync.Client``), in the shape of ``SHOWN``."""
    device = Client(FlaskTransport(client, headers), page_size=1000)
    assert device.sync().ok
    return {rid: {"collection": r.collection, "fields": r.fields, "revs": r.revs,
                  "conflicts": r.conflicts} for rid, r in device.records.items()}


def entries(client, headers, learner_id, collection, field):
    """The words of one field of every entry of a collection, through the REST API."""
    items = api_get(client, f"/api/learners/{learner_id}/{collection}", headers)["items"]
    return sorted(item[field] for item in items)


def assert_each_mutation_processed_once(app, page, faults):
    """Every mutation the tablet made was processed once: the server stored one result per seq
    of its replica, from 1 with no gap, for exactly the mutations in the tablet's log; and it
    gave each mutation the same answer every time it was sent (a second application would
    have given it another seq)."""
    local = page.evaluate(LOCAL)
    assert local["outbox"] == 0
    with app.app_context():
        rows = db.session.execute(select(SyncMutation.id, SyncMutation.seq).where(
            SyncMutation.replica_id == local["replica"])).all()
        next_seq = db.session.get(SyncReplica, local["replica"]).next_seq
    assert sorted(seq for _, seq in rows) == list(range(1, local["next_seq"]))
    assert next_seq == local["next_seq"]
    assert {mid for mid, _ in rows} == set(local["log"])
    for mid, results in faults.push_results().items():
        assert all(result == results[0] for result in results), (mid, results)


def assert_nothing_sent_again_once_heard(faults):
    """A mutation whose answer reached the tablet is never pushed again: with no restore of
    the server, only a lost answer is a reason to send one twice (docs/sync-protocol.md,
    "Push phase": the log goes again only after an epoch change or when nothing got an
    answer)."""
    heard = set()
    for exchange in faults.exchanges:
        if exchange["path"] != "push":
            continue
        again = [m["seq"] for m in exchange["body"]["mutations"] if m["id"] in heard]
        assert not again, f"seqs {again} were sent again after the tablet had their answer"
        if exchange["heard"]:
            _, answer = exchange["answers"][-1]
            heard |= {r["id"] for r in answer["results"] if r["status"] != "deferred"}


def assert_converged(client, headers, *pages):
    """Each page shows exactly the server's journal: the same entries, fields, revs and kept
    versions."""
    server = server_journal(client, headers)
    for page in pages:
        assert page.evaluate(LOCAL)["unpulled"] == 0
        assert page.evaluate(SHOWN, COLLECTIONS) == server
    return server


def backup(app):
    """The journal and sync tables as a backup holds them."""
    models = [*JOURNAL_MODELS.values(), SyncState, SyncReplica, SyncMutation]
    tables = [model.__table__ for model in models]
    with app.app_context(), db.engine.begin() as conn:
        rows = {t: [dict(r) for r in conn.execute(select(t)).mappings()] for t in tables}

    def restore():
        """Put the backup back, epoch and all (an operator who forgot the new epoch)."""
        with app.app_context(), db.engine.begin() as conn:
            for table in reversed(tables):
                conn.execute(delete(table))
            for table in tables:
                if rows[table]:
                    conn.execute(insert(table), rows[table])
    return restore


# --- the scenarios ----------------------------------------------------------------------------

def test_a_push_answered_but_lost_or_sent_twice_is_applied_once(
        app, live_server, new_context, make, auth, client):
    """Pushes whose answer is lost after the server applied them, duplicated (one after the
    other, or both at once), or answered with a 504 by a proxy once the server had applied
    them, in an order fixed by ``SEED``; then a slow push, during which she writes again. The
    tablet sends again what it did not hear about, and only that; the server answers from its
    stored results and applies nothing twice; the entry it refuses waits for her."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    headers = auth.headers(edna)
    plan = ["lost", "twice", "504", "race", "lost", "twice", "race", "lost"]
    random.Random(f"{SEED}-push").shuffle(plan)
    page = open_tablet(live_server, new_context, make, org, "Edna Whitworth", "Lounge tablet")
    wait_all_sent(page)
    faults = Faults(page, push=plan)

    # each thing she does is followed by one sync, whose push meets the next fault
    record_session(page, "Walked to the park")
    sync_once(page)
    goal = page.evaluate(WRITE, ["goals", None, {"title": "Learn the names of the birds"}])
    sync_once(page)
    # minutes in words: the server refuses it; the words must wait on the tablet for her
    refused = page.evaluate(WRITE, ["sessions", None, {
        "activity": "Video call with Tom", "minutes": "about an hour", "date": "2026-11-20"}])
    sync_once(page)
    change_goal(page, "Learn the names of the birds", "title", "Learn the birds by their songs")
    sync_once(page)
    change_goal(page, "Learn the birds by their songs", "why", "To know who sings at dawn")
    sync_once(page)
    change_goal(page, "Learn the birds by their songs", "title", "Learn six birds by their songs")
    sync_once(page)
    write_reflection(page, "Heard a wren this morning")
    sync_once(page)
    change_reflection(page, "Heard a wren this morning", "Heard a wren and a robin this morning")
    sync_until_clean(page, faults)
    # a slow push: she writes again while it is on its way
    faults.plans["push"] = ["hold"]
    write_reflection(page, "The robin came back")
    pump(page, lambda: faults.held, what="the push of the new reflection")
    change_goal(page, "Learn six birds by their songs", "why", "To know who sings at dusk")
    faults.release(deliver=True)
    sync_until_clean(page, faults)

    assert faults.used_up(), "every planned fault met a push"
    results = faults.push_results()
    for exchange in faults.of("lost") + faults.of("504"):
        for mutation in exchange["body"]["mutations"]:
            assert len(results[mutation["id"]]) >= 2, "a push whose answer was lost went again"
    for exchange in faults.of("twice") + faults.of("race"):
        assert [status for status, _ in exchange["answers"]] == [200, 200]
    assert entries(client, headers, edna.id, "goals", "title") == [
        "Learn six birds by their songs"]
    assert entries(client, headers, edna.id, "goals", "why") == ["To know who sings at dusk"]
    assert entries(client, headers, edna.id, "sessions", "activity") == ["Walked to the park"]
    assert entries(client, headers, edna.id, "reflections", "text") == [
        "Heard a wren and a robin this morning", "The robin came back"]
    assert_each_mutation_processed_once(app, page, faults)
    assert_nothing_sent_again_once_heard(faults)
    held = page.evaluate(LOCAL)["held"]
    assert [(h["record_id"], h["fields"]["minutes"], h["error"]) for h in held] == [
        (refused, "about an hour", "validation_failed")]
    page.wait_for_selector("text=1 thing needs you to look at it.")
    assert goal in assert_converged(client, headers, page)

    phone = open_tablet(live_server, new_context, make, org, "Edna Whitworth", "Edna's phone")
    wait_all_sent(phone)
    assert_converged(client, headers, page, phone)


def test_a_long_pull_with_pages_lost_or_refused_ends_with_every_entry_once(
        live_server, new_context, make, auth, client):
    """A new tablet pulls a journal of more than one page (500 a page; the pages after the
    first fetched ahead, at once). Pages are lost in the middle, refused with a 503, or
    answered and then lost to a 504, in an order fixed by ``SEED``, while the learner's other
    device keeps changing and adding entries (a thousand before each sync while a fault waits
    for a page fetched ahead: the tablet keeps the pages it took before a fault); then, once synced, the tablet pulls a second
    long run with a page lost again. It ends with every entry once, in its latest words."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    headers = auth.headers(edna)
    ids = push_sessions(client, headers, edna.id, 1_100)
    rng = random.Random(f"{SEED}-pull")
    plan = [("run", "lost"), ("run", "503"), ("last", "lost"), ("first", "504"),
            ("last", "503")]
    rng.shuffle(plan)
    holder, added = {}, 0

    def route_first(page):
        holder["faults"] = Faults(page, push=["503"], pull=plan)

    page = open_tablet(live_server, new_context, make, org, "Edna Whitworth", "Lounge tablet",
                       before=route_first)
    faults = holder["faults"]
    url = f"/api/learners/{edna.id}/sessions"
    for attempt in range(20):
        if faults.used_up():
            break
        # meanwhile her other device changes three entries anywhere in the journal, adds one
        for record_id in rng.sample(ids, 3):
            changed = client.patch(f"{url}/{record_id}", headers=headers,
                                   json={"activity": f"Walk changed at attempt {attempt}"})
            assert changed.status_code == 200, changed.get_data(as_text=True)
        created = client.post(url, headers=headers, json={
            "activity": f"Added at attempt {attempt}", "minutes": 10, "date": "2026-11-21"})
        assert created.status_code == 201, created.get_data(as_text=True)
        added += 1
        if attempt == 1:
            page.evaluate(WRITE, ["sessions", None, {  # her push meets the 503
                "activity": "Sorted the photographs", "minutes": 40, "date": "2026-11-22"}])
        if any(role in ("run", "last") for role, _ in faults.plans["pull"]):
            # the tablet keeps the pages it took before a fault: a page fetched ahead
            # needs more than a page still to pull
            ids += push_sessions(client, headers, edna.id, 1_000)
        sync_once(page)
    sync_until_clean(page, faults)
    assert [e for e in faults.of("lost") if faults.role(e["body"]) == "run"], "a run was lost"
    assert_converged(client, headers, page)

    # once synced: a second long run after her cursor, and a page of it lost again
    ids += push_sessions(client, headers, edna.id, 1_050)
    assert client.delete(f"{url}/{ids[5]}", headers=headers).status_code == 200
    faults.plans["pull"] = [("run", "lost")]
    sync_until_clean(page, faults)
    server = assert_converged(client, headers, page)
    activities = [entry["fields"]["activity"] for entry in server.values()]
    assert "Sorted the photographs" in activities
    assert len(server) == len(ids) - 1 + added + 1
    assert_nothing_sent_again_once_heard(faults)
    go(page, "sessions", "h1:has-text('What I have done')")
    assert page.locator(".card-list > li").count() == len(server)


def test_going_offline_or_reloading_in_the_middle_of_a_sync_loses_and_doubles_nothing(
        app, live_server, new_context, make, auth, client):
    """The network goes just after the server applied a push; she goes on writing offline and
    the page is reloaded with no network; back online, the page is reloaded while a push is on
    its way, and again just as its answer arrives. The outbox (in IndexedDB) survives each
    reload whole, and every reflection reaches the server once, in her last words."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    headers = auth.headers(edna)
    page = open_tablet(live_server, new_context, make, org, "Edna Whitworth", "Lounge tablet")
    wait_all_sent(page)
    wait_for_worker(page)  # offline, the screens come from the worker's cache
    faults = Faults(page, push=["offline"])

    write_reflection(page, "The garden was full of bees")
    pump(page, lambda: faults.of("offline") and page.evaluate(LOCAL)["phase"] == "offline",
         what="the push to be applied and the tablet to go offline")
    assert page.evaluate(LOCAL)["outbox"] == 1
    change_reflection(page, "The garden was full of bees",
                      "The garden was full of bees and wasps")
    write_reflection(page, "I rang my sister")
    page.wait_for_selector("text=Saved on this tablet. Will send when online.")
    page.reload()
    page.wait_for_selector(".tile:has-text('Edna Whitworth') >> text=Writing waiting to be sent")
    reopen(page, "Edna Whitworth")
    assert page.evaluate(LOCAL)["outbox"] == 3

    # back online: the server applies the push, and the page is reloaded before it hears
    faults.plans["push"] = ["hold", "hold"]
    page.context.set_offline(False)
    pump(page, lambda: faults.held, what="the push after coming online")
    sent = faults.release(deliver=False)
    assert [r["status"] for _, answer in sent["answers"] for r in answer["results"]] == [
        "applied"] * 3
    page.reload()
    reopen(page, "Edna Whitworth")
    pump(page, lambda: faults.held, what="the push after the reload")
    again = faults.release(deliver=True)
    # the outbox came through the reload whole: the same mutations, with the same seqs
    assert again["body"]["mutations"] == sent["body"]["mutations"]
    sync_until_clean(page, faults)

    # and reloaded just as the answer of a push arrives
    faults.plans["push"] = ["hold"]
    write_reflection(page, "Tom showed me his new bike")
    pump(page, lambda: faults.held, what="the push of the new reflection")
    # (the page may be gone before it takes the answer: then sending it again is right)
    faults.release(deliver=True)["heard"] = False
    page.reload()
    reopen(page, "Edna Whitworth")
    sync_until_clean(page, faults)

    assert entries(client, headers, edna.id, "reflections", "text") == [
        "I rang my sister", "The garden was full of bees and wasps", "Tom showed me his new bike"]
    assert_each_mutation_processed_once(app, page, faults)
    assert_nothing_sent_again_once_heard(faults)
    phone = open_tablet(live_server, new_context, make, org, "Edna Whitworth", "Edna's phone")
    wait_all_sent(phone)
    assert_converged(client, headers, page, phone)


def test_two_tablets_changing_the_same_entries_offline_merge_or_keep_both(
        app, live_server, new_context, make, auth, client):
    """Two tablets of one learner change the same goals and start the same profile offline,
    while her phone changes a goal online; the first tablet's push answer is lost and the
    second's push is duplicated. Fields changed in one place merge; the same field changed in
    two places keeps both versions until she chooses; a change to a goal deleted elsewhere
    waits for her with its words; and in the end both tablets show what the server holds."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    headers = auth.headers(edna)
    calls = make.goal(edna, title="Learn to video-call my grandson", why="He lives in Leeds")
    scarf = make.goal(edna, title="Knit a scarf for winter", why=None)
    paper = make.goal(edna, title="Read the paper every morning", why=None)
    tablets = []
    for name in ("Lounge tablet", "Library tablet"):
        page = open_tablet(live_server, new_context, make, org, "Edna Whitworth", name)
        wait_all_sent(page)
        wait_for_worker(page)
        page.context.set_offline(True)
        tablets.append(page)
    lounge, library = tablets
    lounge_faults, library_faults = Faults(lounge, push=["lost"]), Faults(library, push=["twice"])

    change_goal(lounge, "Learn to video-call my grandson", "title",
                "Video-call my grandson on Sundays")
    change_goal(lounge, "Knit a scarf for winter", "title", "Knit a red scarf")
    delete_goal(lounge, "Read the paper every morning")
    write_what_matters(lounge, "What I need", "needs", "A hearing aid that works")
    record_session(lounge, "Painted the garden gate")
    change_goal(library, "Learn to video-call my grandson", "why", "So I can see his face")
    change_goal(library, "Knit a scarf for winter", "title", "Knit a blue scarf")
    change_goal(library, "Read the paper every morning", "title", "Read the paper with my tea")
    write_what_matters(library, "What I like and how I like it", "preferences", "Mornings")
    record_session(library, "Sang in the choir")
    goal_url = f"/api/learners/{edna.id}/goals"
    paused = client.patch(f"{goal_url}/{calls.id}", headers=headers, json={"status": "paused"})
    assert paused.status_code == 200, paused.get_data(as_text=True)  # her phone, online

    lounge.context.set_offline(False)
    sync_until_clean(lounge, lounge_faults)
    library.context.set_offline(False)
    sync_until_clean(library, library_faults)

    merged = api_get(client, f"{goal_url}/{calls.id}", headers)
    assert (merged["title"], merged["why"], merged["status"], merged["conflicts"]) == (
        "Video-call my grandson on Sundays", "So I can see his face", "paused", {})
    kept = api_get(client, f"{goal_url}/{scarf.id}", headers)
    assert kept["title"] == "Knit a red scarf"
    assert [v["value"] for v in kept["conflicts"]["title"]] == ["Knit a blue scarf"]
    assert client.get(f"{goal_url}/{paper.id}", headers=headers).status_code == 404
    [profile] = api_get(client, f"/api/learners/{edna.id}/profile", headers)["items"]
    assert (profile["needs"], profile["preferences"]) == ("A hearing aid that works", "Mornings")
    assert entries(client, headers, edna.id, "sessions", "activity") == [
        "Painted the garden gate", "Sang in the choir"]
    [refused] = library.evaluate(LOCAL)["held"]
    assert (refused["record_id"], refused["fields"], refused["error"]) == (
        paper.id, {"title": "Read the paper with my tea"}, "record_deleted")
    sync_until_clean(lounge)  # the lounge tablet now shows the version kept from the library
    assert_converged(client, headers, lounge, library)
    for page, waiting in ((lounge, "1 thing needs"), (library, "2 things need")):
        page.wait_for_selector(f"text={waiting}")

    library.click("a:has-text('Look now')")
    library.click("text=See both versions")
    library.wait_for_selector(".version")
    assert library.locator(".version").count() == 2
    library.click("[aria-label='Keep this one: Knit a blue scarf']")
    library.wait_for_selector("text=Read the paper with my tea")  # still waiting for her
    sync_until_clean(library)
    sync_until_clean(lounge)
    settled = api_get(client, f"{goal_url}/{scarf.id}", headers)
    assert (settled["title"], settled["conflicts"]) == ("Knit a blue scarf", {})
    assert_converged(client, headers, lounge, library)
    for page, faults in ((lounge, lounge_faults), (library, library_faults)):
        assert_each_mutation_processed_once(app, page, faults)
        assert_nothing_sent_again_once_heard(faults)
    lounge.wait_for_selector(".status-line.sent:has-text('All sent')")
    assert lounge.locator("text=needs you to look at it").count() == 0


def test_writing_a_server_lost_in_a_restore_that_kept_its_epoch_is_sent_again(
        app, live_server, new_context, make, auth, client):
    """The server is restored from a backup without a new epoch, after it applied a goal from
    the tablet: the tablet's next push is all deferred (the server waits for the lost seq), so
    the tablet sends its log again, and the goal and what came after both arrive, once each
    (docs/sync-protocol.md, "Push phase", step 5)."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    headers = auth.headers(edna)
    page = open_tablet(live_server, new_context, make, org, "Edna Whitworth", "Lounge tablet")
    wait_all_sent(page)
    restore = backup(app)
    # the goal is applied, but the tablet does not pull it back before the restore
    faults = Faults(page, pull=["lost"])

    def without_the_carried_pull(route):
        route.fallback(post_data=json.dumps({**json.loads(route.request.post_data), "pull": None}))

    page.route("**/api/sync/push", without_the_carried_pull)
    page.evaluate(WRITE, ["goals", None, {"title": "Bake bread with my granddaughter"}])
    pump(page, lambda: faults.used_up() and page.evaluate(LOCAL)["outbox"] == 0,
         what="the goal to be applied")
    page.unroute("**/api/sync/push", without_the_carried_pull)
    restore()
    before = len(faults.exchanges)

    write_reflection(page, "The loaf rose at last")
    sync_until_clean(page, faults)

    first, *_ = [e for e in faults.exchanges[before:] if e["path"] == "push"]
    assert {r["status"] for r in first["answers"][-1][1]["results"]} == {"deferred"}
    assert entries(client, headers, edna.id, "goals", "title") == [
        "Bake bread with my granddaughter"]
    assert entries(client, headers, edna.id, "reflections", "text") == ["The loaf rose at last"]
    assert_each_mutation_processed_once(app, page, faults)
    assert_converged(client, headers, page)


def test_a_page_lost_in_a_long_pull_keeps_the_pages_that_came_before_it(
        live_server, new_context, make, auth, client):
    """A new tablet pulls 1,100 entries: the first page of 500 and the pages after it, fetched
    ahead; one page fetched ahead is lost. The pages that came before it are kept, and the next
    sync goes on from them rather than fetching the journal from the start again."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    headers = auth.headers(edna)
    push_sessions(client, headers, edna.id, 1_100)
    holder = {}

    def route_first(page):
        holder["faults"] = Faults(page, pull=[("run", "lost")])

    page = open_tablet(live_server, new_context, make, org, "Edna Whitworth", "Lounge tablet",
                       before=route_first)
    faults = holder["faults"]
    pump(page, lambda: faults.used_up() and page.evaluate(LOCAL)["phase"] != "sending",
         what="the first sync to meet the lost page")
    kept = len(page.evaluate(SHOWN, ["sessions"]))
    assert kept >= 500, "the first page, received whole, was kept"
    pulls = len(faults.exchanges)

    sync_until_clean(page, faults)

    [goes_on, *_] = [e["body"] for e in faults.exchanges[pulls:] if e["path"] == "pull"]
    assert goes_on["cursor"] is not None
    received = sum(len(answer["changes"]) for e in faults.exchanges[pulls:]
                   if e["path"] == "pull" for _, answer in e["answers"])
    assert received == 1_100 - kept
    assert len(assert_converged(client, headers, page)) == 1_100


def test_a_push_larger_than_the_server_takes_goes_again_in_halves(
        app, live_server, new_context, make, auth, client):
    """Offline, she writes three reflections; back online, a server whose operator set a small
    body limit answers 413 to a push of more than one: the tablet sends them again in halves,
    one by one here, and each arrives once."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    page = open_tablet(live_server, new_context, make, org, "Edna Whitworth", "Lounge tablet")
    wait_all_sent(page)
    wait_for_worker(page)
    sent = []

    def one_at_a_time(route):
        mutations = json.loads(route.request.post_data)["mutations"]
        if len(mutations) > 1:
            route.fulfill(status=413, content_type="application/json", body=json.dumps({
                "code": 413, "error": "payload_too_large",
                "message": "The request is too large.", "details": {}}))
        else:
            sent.append(mutations[0]["seq"])
            route.continue_()

    page.route("**/api/sync/push", one_at_a_time)
    page.context.set_offline(True)
    for words in ("Fed the birds", "Rang my sister", "Finished the jigsaw"):
        write_reflection(page, words)
    page.context.set_offline(False)
    wait_all_sent(page)

    assert sent == [1, 2, 3]
    assert entries(client, auth.headers(edna), edna.id, "reflections", "text") == [
        "Fed the birds", "Finished the jigsaw", "Rang my sister"]


def test_half_an_emoji_or_a_nul_in_her_words_does_not_stop_the_outbox(
        live_server, new_context, make, auth, client):
    """Text the server cannot store (half an emoji left alone by a length limit, a NUL from a
    paste) would have the whole push refused, and every change after it never sent: the tablet
    mends it as it is saved (U+FFFD for the half, the NUL gone), and everything arrives."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    page = open_tablet(live_server, new_context, make, org, "Edna Whitworth", "Lounge tablet")
    wait_all_sent(page)
    page.context.set_offline(True)
    page.evaluate("""async () => {
      const { write } = await import('/store/records.js');
      const { session } = await import('/store/people.js');
      await write(session(), 'reflections', null, { text: 'Sunny \\ud83d and\\u0000 warm \\ud83d\\ude00' });
      await write(session(), 'reflections', null, { text: 'Then it rained' });
    }""")
    page.context.set_offline(False)
    sync_until_clean(page)

    assert entries(client, auth.headers(edna), edna.id, "reflections", "text") == [
        "Sunny \ufffd and warm \U0001F600", "Then it rained"]


def test_her_new_goal_stays_shown_while_a_long_pull_brings_its_change_from_elsewhere(
        live_server, new_context, make, auth, client):
    """Her new goal is answered, then changed on her phone, while the tablet pulls a long
    journal: a page before the goal's new version says the server passed the goal's first seq
    (``through``), but the goal itself moved to a later seq. When the pull stops there, the
    goal is still on her screen, as she wrote it; the next sync brings the phone's change."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    headers = auth.headers(edna)
    page = open_tablet(live_server, new_context, make, org, "Edna Whitworth", "Lounge tablet")
    wait_all_sent(page)
    page.context.set_offline(True)
    push_sessions(client, headers, edna.id, 1_100)
    goal = page.evaluate(WRITE, ["goals", None, {"title": "Learn the birds"}])
    groups = []

    def meanwhile(route):
        """The first pull of a group of pages: on the first, the phone adds a long run and
        changes the goal; none after it arrives (a sync asked for meanwhile, by the service
        worker's Background Sync say, runs straight after and stops there too)."""
        if json.loads(route.request.post_data).get("ahead"):
            groups.append(route.request.url)
            if len(groups) == 1:
                push_sessions(client, headers, edna.id, 2_200)
                changed = client.patch(f"/api/learners/{edna.id}/goals/{goal}", headers=headers,
                                       json={"why": "To know them by their songs"})
                assert changed.status_code == 200, changed.get_data(as_text=True)
            else:
                route.abort()
                return
        route.continue_()

    page.route("**/api/sync/pull", meanwhile)
    page.context.set_offline(False)
    pump(page, lambda: len(groups) >= 2 and page.evaluate(LOCAL)["phase"] != "sending",
         what="the pull to stop at its second group of pages")

    shown = page.evaluate(SHOWN, ["goals"])
    assert shown[goal]["fields"]["title"] == "Learn the birds"
    page.unroute("**/api/sync/pull", meanwhile)
    sync_until_clean(page)
    assert page.evaluate(SHOWN, ["goals"])[goal]["fields"] == {
        "title": "Learn the birds", "why": "To know them by their songs", "visibility": "private"}
