"""What the app does when who may see a journal changes around a sync (docs/sync-protocol.md,
"What a pull returns, per role", "Pull phase" step 5, "Push phase" step 4 and "What the person
sees"): a pairing ended while a mentor's phone was offline with a visit for that learner, an
entry made private and shared again, a mentor with two learners who loses one, a pairing ended
and restored, and two learners on one tablet with a sync cut in the middle.

The promise checked each time: what a person wrote is never lost (a refused visit waits, in the
mentor's own words, under "Things to look at"), and nothing stays on a device, or shows on its
screen, that its person may no longer see. IndexedDB is read only for what is readable without a
person's key (which rows are stored, for whom, of which learner) to prove what is or is not kept.
"""
import json

import pytest

from .conftest import PHONE
from .steps import (MENTOR_PASSWORD, api_get, enrol, go, open_entry, open_journal,
                    sign_in_mentor, wait_all_sent, wait_for_worker, watch_syncs)

pytestmark = pytest.mark.e2e

PIN = "2468"

# What the device keeps, as anyone with the developer tools could list it without a key: each
# stored record's person, collection, id and learner; whose writing waits in the outbox; whose
# refused changes are kept.
STORED = """async () => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('what-matters');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  const all = (name) => new Promise((ok, no) => {
    const q = db.transaction(name).objectStore(name).getAll();
    q.onsuccess = () => ok(q.result);
    q.onerror = () => no(q.error);
  });
  const [records, outbox, held] = await Promise.all(['records', 'outbox', 'held'].map(all));
  db.close();
  return {
    records: records.map((r) => ({ person: r.personId, collection: r.collection, id: r.id,
                                   learner: r.learnerId })),
    outbox: outbox.map((r) => ({ person: r.personId, record: r.recordId })),
    held: held.map((r) => ({ person: r.personId })),
  };
}"""


# --- what the people do -------------------------------------------------------------------

def mentor_phone(live_server, new_context, mentor):
    """The mentor signs in on their phone, which fetches what they may see and keeps the app
    for offline use."""
    phone = new_context(viewport=PHONE, has_touch=True).new_page()
    phone.goto(live_server.url + "/#/sign-in")
    sign_in_mentor(phone, mentor)
    wait_all_sent(phone)
    wait_for_worker(phone)  # offline, every screen comes from the worker's cache
    watch_syncs(phone)
    return phone


def learner_tablet(live_server, new_context, make, org, name, pin=PIN):
    tablet = new_context().new_page()
    enrol(tablet, live_server, make.device(org).raw_key)
    open_journal(tablet, name, pin)
    wait_all_sent(tablet)
    return tablet


def log_visit(phone, learner_name, activity, minutes_words="45 minutes"):
    go(phone, "mentor", f"[aria-label='Log a visit with {learner_name}']")
    phone.click(f"[aria-label='Log a visit with {learner_name}']")
    phone.fill("input[name=activity]", activity)
    phone.click(f"label.choice:has-text('{minutes_words}')")
    phone.click("button:has-text('Save the visit')")
    phone.wait_for_selector("h1:has-text('My learners')")
    phone.wait_for_selector("text=Saved on this phone.")


def open_hours(phone):
    go(phone, "hours", "h1:has-text('My hours')")


def choose_who_sees(page, words):
    page.click(f"fieldset:has(legend:text('Who can see this?')) label.choice:has-text('{words}')")


def share_reflection(tablet, text, words):
    """The learner opens one of her thoughts, changes who can see it, saves."""
    open_entry(tablet, "reflections", text)
    tablet.click("a:has-text('Change')")
    choose_who_sees(tablet, words)
    tablet.click("button:has-text('Save')")
    tablet.wait_for_selector(f".card:has-text('{text}') >> text={words}")


def hide_visit(tablet, activity):
    open_entry(tablet, "sessions", activity)
    tablet.click("button:has-text('Hide')")
    tablet.wait_for_selector("text=Hidden. Only you can see it now.")


def share_visit_again(tablet, activity):
    """The learner opens a visit she hid, taps Change and shares it with her mentor again."""
    open_entry(tablet, "sessions", activity)
    tablet.click("a:has-text('Change')")
    tablet.wait_for_selector("h1:has-text('Change what I did')")
    choose_who_sees(tablet, "Me and my mentor")
    tablet.click("button:has-text('Save')")
    tablet.wait_for_selector("h1:has-text('In my journal')")


def switch_person(tablet):
    tablet.click("button:has-text('Switch person')")
    tablet.wait_for_selector("h1:has-text('Who is using the tablet?')")


# --- waiting and looking ------------------------------------------------------------------

def syncs_done(page):
    return page.evaluate("window.syncsDone")


def wait_for_syncs(page, after, count=1):
    """Wait until ``count`` syncs have ended since ``after`` (a ``syncs_done`` reading)."""
    page.wait_for_function("(n) => window.syncsDone >= n", arg=after + count, timeout=20000)


def come_online_and_sync(page):
    done = syncs_done(page)
    page.context.set_offline(False)  # the browser's "online" event asks for a sync
    wait_for_syncs(page, done)


def sync_now(page):
    """Sync as coming back online does (rather than waiting for the minute's timer)."""
    done = syncs_done(page)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for_syncs(page, done)


def stored(page):
    return page.evaluate(STORED)


def wait_until_stored(page, condition):
    """Wait until ``condition``, a JavaScript expression over ``kept`` (what ``STORED``
    lists), holds: for what the app does in the background, such as sending."""
    check = f"async () => {{ const kept = await ({STORED})(); return {condition}; }}"
    page.wait_for_function(check, timeout=20000)


def wait_until_sent(page):
    """Every person's outbox on the device is empty, and the trust line says so."""
    wait_until_stored(page, "kept.outbox.length === 0")
    wait_all_sent(page)


def stored_ids(page, person):
    return {r["id"] for r in stored(page)["records"] if r["person"] == person.id}


def stored_learners(page, person):
    return {r["learner"] for r in stored(page)["records"] if r["person"] == person.id}


def texts(client, auth, learner, collection, field):
    items = api_get(client, f"/api/learners/{learner.id}/{collection}",
                    auth.headers(learner))["items"]
    return sorted(item[field] for item in items)


class SyncLog:
    """Every sync request of a page, through the real server, with the answer it got; a push
    is answered and then lost on its way back while ``lose`` says so of its mutations, and
    held (``release`` sends it on) while ``hold`` does."""

    def __init__(self, page):
        self.exchanges, self.held = [], []
        self.lose = self.hold = lambda mutations: False
        page.route("**/api/sync/*", self._handle)

    def _handle(self, route):
        body = json.loads(route.request.post_data)
        exchange = {"path": route.request.url.rsplit("/", 1)[1], "body": body, "answer": None}
        self.exchanges.append(exchange)
        mutations = body.get("mutations") or []
        if mutations and self.hold(mutations):
            self.held.append((route, exchange))
            return
        response = route.fetch()
        exchange["answer"] = response.json()
        if mutations and self.lose(mutations):
            route.abort()
            exchange["lost"] = True
        else:
            route.fulfill(response=response)

    def release(self):
        route, exchange = self.held.pop(0)
        response = route.fetch()
        exchange["answer"] = response.json()
        route.fulfill(response=response)
        return exchange

    def learners_in(self, exchange):
        """Every learner an exchange names: in its mutations, its pull's scope and changes."""
        body, answer = exchange["body"], exchange["answer"] or {}
        page = answer.get("pull") if exchange["path"] == "push" else answer
        named = {m["learner_id"] for m in body.get("mutations") or []}
        if page:
            named |= set(page.get("scope", [])) | {c["learner_id"] for c in page["changes"]}
        return named


# --- a mentor, a learner and a pairing --------------------------------------------------------

@pytest.fixture
def paired(live_server, new_context, make):
    """Edna shares a goal with her mentor David and keeps a thought to herself; David logs a
    visit on his phone, online, and the phone holds Edna's shared entries."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    david = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    pairing = make.pairing(david, edna)
    goal = make.goal(edna, title="Walk to the bandstand", visibility="mentor")
    private = make.record("reflections", edna, text="I miss the old house")
    phone = mentor_phone(live_server, new_context, david)
    log_visit(phone, "Edna Whitworth", "Looked at old photographs")
    wait_until_sent(phone)
    assert goal.id in stored_ids(phone, david) and private.id not in stored_ids(phone, david)
    assert stored_learners(phone, david) == {edna.id}
    return {"org": org, "edna": edna, "david": david, "pairing": pairing, "goal": goal,
            "phone": phone}


def unpair(runner, mentor, learner):
    """Staff end the pairing from the command line (``flask unpair``)."""
    result = runner.invoke(args=["unpair", str(mentor.id), str(learner.id)])
    assert result.exit_code == 0, result.output


def assert_refused_visit_waits(phone, activity):
    """The trust line says something needs the mentor; "Look now" shows the refused visit in
    their own words, kept until they decide."""
    phone.wait_for_selector("text=1 thing needs you to look at it.")
    phone.click("a:has-text('Look now')")
    phone.wait_for_selector("h1:has-text('Things to look at')")
    card = phone.locator(".card", has_text="could not be sent")
    assert card.count() == 1
    # whose journal it was for: the phone kept her name while her visit waited there
    assert card.locator("h3").inner_text() == "A visit with Edna Whitworth could not be sent"
    assert "You are no longer paired with Edna Whitworth." in card.inner_text()
    words = card.inner_text()
    assert activity in words and "45 minutes" in words
    assert "Your words are kept here until you decide." in words
    return card


# --- 1. a pairing ended while the phone was offline ---------------------------------------------

def test_a_visit_written_offline_after_the_pairing_ended_waits_for_the_mentor_in_their_words(
        paired, runner, client, auth):
    """David, offline, logs a visit with Edna; meanwhile staff end the pairing. Back online:
    the visit is refused and waits under "Things to look at" with his words, and every entry
    of Edna's (her shared goal, his earlier visit) leaves the phone, screen and storage."""
    phone, edna, david = paired["phone"], paired["edna"], paired["david"]
    phone.context.set_offline(True)
    log_visit(phone, "Edna Whitworth", "A walk round the garden")
    phone.wait_for_selector("text=Saved on this phone. Will send when online.")
    open_hours(phone)
    unpair(runner, david, edna)

    come_online_and_sync(phone)

    keep = stored(phone)
    assert [r for r in keep["records"] if r["learner"] == edna.id] == []
    assert keep["outbox"] == [] and keep["held"] == [{"person": david.id}]
    phone.wait_for_selector("text=No visits logged yet.")  # My hours, refreshed by the sync
    card = assert_refused_visit_waits(phone, "A walk round the garden")
    assert "Why: only the learner, or a paired mentor logging a session" in card.inner_text()
    go(phone, "mentor", "h1:has-text('My learners')")
    phone.wait_for_selector("text=You have no learners yet.")
    assert phone.locator("[aria-label='Log a visit with Edna Whitworth']").count() == 0
    assert texts(client, auth, edna, "sessions", "activity") == ["Looked at old photographs"]


def test_a_visit_logged_offline_shows_at_once_on_my_hours_marked_not_sent_yet(paired):
    """One's own writing shows at once (docs/sync-protocol.md, "What the person sees"): a
    visit David logs with no signal is on My hours straight away, counted, "not sent yet"."""
    phone = paired["phone"]
    phone.context.set_offline(True)
    log_visit(phone, "Edna Whitworth", "A walk round the garden", "30 minutes")
    open_hours(phone)
    visit = phone.locator(".card", has_text="Edna Whitworth: A walk round the garden")
    visit.wait_for(timeout=5000)
    assert "not sent yet" in visit.inner_text()
    assert phone.locator("dd").nth(2).inner_text() == "1 hour 15 minutes"  # in all: 45 + 30


def test_the_screen_on_show_forgets_the_learner_as_soon_as_the_pairing_ends(paired, runner):
    """David's phone shows My hours with his visit to Edna; staff end the pairing; the next
    sync takes Edna's entries off the phone, and off the screen he is looking at."""
    phone, edna, david = paired["phone"], paired["edna"], paired["david"]
    open_hours(phone)
    phone.wait_for_selector("text=Edna Whitworth: Looked at old photographs")
    unpair(runner, david, edna)

    sync_now(phone)

    assert stored_learners(phone, david) == set()  # gone from the storage...
    # ...and from the screen, without his having to go elsewhere and come back
    phone.wait_for_selector("text=No visits logged yet.", timeout=5000)


def test_a_pairing_ended_and_restored_brings_the_journal_back_and_the_visit_can_be_sent(
        paired, runner, client, auth, make):
    """The pairing ends while David's phone holds an unsent visit; it is refused and waits.
    Staff pair them again: the next sync brings Edna's shared entries back, and "Try again"
    sends his visit, in his words, to her journal."""
    phone, edna, david = paired["phone"], paired["edna"], paired["david"]
    phone.context.set_offline(True)
    log_visit(phone, "Edna Whitworth", "A walk round the garden")
    unpair(runner, david, edna)
    come_online_and_sync(phone)
    assert stored_learners(phone, david) == set()
    assert_refused_visit_waits(phone, "A walk round the garden")

    make.pairing(david, edna)
    sync_now(phone)
    assert paired["goal"].id in stored_ids(phone, david)
    open_hours(phone)
    phone.wait_for_selector("text=Edna Whitworth: Looked at old photographs")

    phone.click("a:has-text('Look now')")
    phone.click("button:has-text('Try again')")
    phone.wait_for_selector("text=Nothing needs you just now.")
    wait_until_sent(phone)
    assert texts(client, auth, edna, "sessions", "activity") == [
        "A walk round the garden", "Looked at old photographs"]
    assert stored(phone)["held"] == []
    open_hours(phone)
    phone.wait_for_selector("text=Edna Whitworth: A walk round the garden")
    assert phone.locator("text=not sent yet").count() == 0


def test_a_mentor_with_two_learners_loses_only_the_one_whose_pairing_ended(
        live_server, new_context, make, client, auth):
    """David visits Edna and Harold. Offline, he logs a visit with each; staff end only the
    pairing with Edna (through the API). Back online: Harold's visit is sent and his shared
    goal stays; Edna's visit waits for David, and her entries leave the phone."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    harold = make.learner(org, name="Harold Pennington")
    david = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    admin = make.staff(org, is_admin=True)
    with_edna = make.pairing(david, edna)
    make.pairing(david, harold)
    make.goal(edna, title="Walk to the bandstand", visibility="mentor")
    harolds = make.goal(harold, title="Grow tomatoes again", visibility="mentor")
    phone = mentor_phone(live_server, new_context, david)
    assert stored_learners(phone, david) == {edna.id, harold.id}

    phone.context.set_offline(True)
    log_visit(phone, "Edna Whitworth", "A walk round the garden")
    log_visit(phone, "Harold Pennington", "Potted the seedlings")
    ended = client.post(f"/api/pairings/{with_edna.id}/end", headers=auth.headers(admin))
    assert ended.status_code == 200, ended.get_data(as_text=True)
    come_online_and_sync(phone)

    assert stored_learners(phone, david) == {harold.id}
    assert harolds.id in stored_ids(phone, david)
    assert texts(client, auth, harold, "sessions", "activity") == ["Potted the seedlings"]
    assert texts(client, auth, edna, "sessions", "activity") == []
    open_hours(phone)
    phone.wait_for_selector("text=Harold Pennington: Potted the seedlings")
    assert_refused_visit_waits(phone, "A walk round the garden")
    go(phone, "mentor", "[aria-label='Log a visit with Harold Pennington']")
    assert phone.locator("[aria-label='Log a visit with Edna Whitworth']").count() == 0


# --- 2. sharing withdrawn and given again ---------------------------------------------------------

@pytest.fixture
def shared(paired, live_server, new_context, make):
    """Edna, on her tablet, writes a thought she shares with David; his phone syncs it.
    (Written through the app, as the server keeps the widest sharing an entry ever had only
    for entries written through sync: see the report on ``factories.record``.)"""
    david, phone = paired["david"], paired["phone"]
    tablet = learner_tablet(live_server, new_context, make, paired["org"], "Edna Whitworth")
    go(tablet, "reflection/new", "textarea[name=text]")
    tablet.fill("textarea[name=text]", "Tom rang on Sunday")
    choose_who_sees(tablet, "Me and my mentor")
    tablet.click("button:has-text('Save')")
    tablet.wait_for_selector("h3:has-text('Tom rang on Sunday')")
    wait_until_sent(tablet)
    before = stored_ids(phone, david)
    sync_now(phone)
    [thought] = stored_ids(phone, david) - before
    return {**paired, "thought": thought, "tablet": tablet}


def test_a_thought_made_private_while_the_phone_was_offline_leaves_it_and_comes_back(
        shared, live_server):
    """Edna makes a shared thought private while David's phone is offline; the phone's first
    sync back online cannot reach the server, the next one can: the thought leaves the phone.
    She shares it again: the next sync brings it back."""
    phone, tablet, david = shared["phone"], shared["tablet"], shared["david"]
    thought = shared["thought"]
    phone.context.set_offline(True)
    share_reflection(tablet, "Tom rang on Sunday", "Only me")
    wait_until_sent(tablet)
    live_server.stop()  # the signal comes back, but the server cannot be reached
    come_online_and_sync(phone)
    assert thought in stored_ids(phone, david)  # nothing arrived: nothing changed
    live_server.start()
    sync_now(phone)
    assert thought not in stored_ids(phone, david)
    assert stored_learners(phone, david) == {shared["edna"].id}  # the rest stays

    share_reflection(tablet, "Tom rang on Sunday", "Me and my mentor")
    wait_until_sent(tablet)
    sync_now(phone)
    assert thought in stored_ids(phone, david)


def test_a_visit_hidden_while_the_phone_was_offline_leaves_it_and_comes_back_when_shared(
        shared, client, auth):
    """Edna hides David's visit while his phone is offline: back online, it leaves My hours
    and the phone. She shares it again: it is back on My hours after the next sync."""
    phone, tablet, david, edna = shared["phone"], shared["tablet"], shared["david"], shared["edna"]
    open_hours(phone)
    phone.wait_for_selector("text=Edna Whitworth: Looked at old photographs")
    [visit] = [r["id"] for r in stored(phone)["records"] if r["collection"] == "sessions"]
    phone.context.set_offline(True)
    hide_visit(tablet, "Looked at old photographs")
    wait_until_sent(tablet)

    come_online_and_sync(phone)
    phone.wait_for_selector("text=No visits logged yet.")
    assert visit not in stored_ids(phone, david)

    share_visit_again(tablet, "Looked at old photographs")
    wait_until_sent(tablet)
    [on_server] = api_get(client, f"/api/learners/{edna.id}/sessions",
                          auth.headers(edna))["items"]
    assert on_server["visibility"] == "mentor"
    sync_now(phone)
    phone.wait_for_selector("text=Edna Whitworth: Looked at old photographs")
    assert visit in stored_ids(phone, david)


# --- 3. two learners on one tablet ------------------------------------------------------------

@pytest.fixture
def two_on_a_tablet(live_server, new_context, make):
    """Edna (with a PIN) and Harold (without) share a tablet; each has a private entry on the
    server; Edna's journal is open and synced. Every sync request is logged."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    harold = make.learner(org, name="Harold Pennington")
    make.goal(edna, title="Write to my sister in Canada")
    harolds = make.record("reflections", harold, text="The band played my song")
    # no service worker (the tablet stays online): its requests stay within reach of routes
    tablet = new_context(service_workers="block").new_page()
    log = SyncLog(tablet)
    enrol(tablet, live_server, make.device(org).raw_key)
    open_journal(tablet, "Edna Whitworth", PIN)
    wait_all_sent(tablet)
    return {"tablet": tablet, "log": log, "edna": edna, "harold": harold, "harolds": harolds}


EDNAS_WORDS = ("Write to my sister in Canada", "My sister sent photographs of the lake")


def write_thought(tablet, words):
    go(tablet, "reflection/new", "textarea[name=text]")
    tablet.fill("textarea[name=text]", words)
    tablet.click("button:has-text('Save')")
    tablet.wait_for_selector(f"h3:has-text('{words}')")


def assert_harold_sees_only_his_journal(tablet, log, edna, harold):
    """On every screen of his, and in what the tablet keeps for him, nothing of Edna's; and
    no sync request while he was in mixed the two."""
    go(tablet, "reflections", "text=The band played my song")  # his own, pulled
    for route in ("home", "reflections", "goals", "sessions"):
        go(tablet, route, "h1")
        for words in EDNAS_WORDS:
            assert tablet.locator(f"text={words}").count() == 0, (route, words)
    keep = stored(tablet)
    assert {r["learner"] for r in keep["records"] if r["person"] == harold.id} == {harold.id}
    assert {r["learner"] for r in keep["records"] if r["person"] == edna.id} == {edna.id}
    for exchange in log.exchanges:
        assert len(log.learners_in(exchange)) <= 1, exchange
    assert any(log.learners_in(e) == {harold.id} for e in log.exchanges), "Harold synced"


def test_a_sync_cut_short_for_one_learner_shows_the_next_nothing_and_sends_later(
        two_on_a_tablet, client, auth):
    """Edna writes; the server takes it but its answer is lost, again and again. She taps
    Switch person, her tile says her writing waits, and Harold opens his journal: nothing of
    hers shows or is pulled for him. When Edna opens hers again, her words are sent, once."""
    tablet, log = two_on_a_tablet["tablet"], two_on_a_tablet["log"]
    edna, harold = two_on_a_tablet["edna"], two_on_a_tablet["harold"]
    log.lose = lambda mutations: any(m["learner_id"] == edna.id for m in mutations)
    write_thought(tablet, EDNAS_WORDS[1])
    tablet.wait_for_selector("text=The server could not be reached just now.")
    assert [e for e in log.exchanges if e.get("lost")], "the server had her words"
    switch_person(tablet)
    tablet.wait_for_selector(
        ".tile:has-text('Edna Whitworth') >> text=Writing waiting to be sent")

    open_journal(tablet, "Harold Pennington")
    wait_all_sent(tablet)
    assert_harold_sees_only_his_journal(tablet, log, edna, harold)

    log.lose = lambda mutations: False
    switch_person(tablet)
    open_journal(tablet, "Edna Whitworth", PIN)
    wait_until_sent(tablet)
    go(tablet, "reflections", f"text={EDNAS_WORDS[1]}")
    assert texts(client, auth, edna, "reflections", "text") == [EDNAS_WORDS[1]]
    assert texts(client, auth, harold, "reflections", "text") == ["The band played my song"]
    switch_person(tablet)
    assert tablet.locator("text=Writing waiting to be sent").count() == 0


def test_an_answer_for_one_learner_arriving_after_the_next_opened_the_journal_stays_hers(
        two_on_a_tablet, client, auth):
    """Edna's words are on their way when she taps Switch person and Harold opens his journal;
    only then does the server's answer arrive. It is taken into Edna's journal, not shown to
    Harold; his own sync follows and says "All sent"; her tile no longer says anything waits."""
    tablet, log = two_on_a_tablet["tablet"], two_on_a_tablet["log"]
    edna, harold = two_on_a_tablet["edna"], two_on_a_tablet["harold"]
    log.hold = lambda mutations: any(m["learner_id"] == edna.id for m in mutations)
    write_thought(tablet, EDNAS_WORDS[1])
    tablet.wait_for_selector("text=Sending…")
    switch_person(tablet)
    open_journal(tablet, "Harold Pennington")
    assert len(log.held) == 1

    log.hold = lambda mutations: False
    log.release()
    wait_all_sent(tablet)
    assert_harold_sees_only_his_journal(tablet, log, edna, harold)
    assert stored(tablet)["outbox"] == []  # her answer was heard: nothing waits
    assert texts(client, auth, edna, "reflections", "text") == [EDNAS_WORDS[1]]
    switch_person(tablet)
    assert tablet.locator("text=Writing waiting to be sent").count() == 0
