"""A mentor logs a visit on their phone; the learner sees who wrote it and can hide it, after
which it leaves the mentor's phone."""
import json
import time

import pytest

from .conftest import PHONE
from .steps import (MENTOR_PASSWORD, api_get, enrol, go, open_journal, push_sessions,
                    sign_in_mentor, staff_signed_in, wait_all_sent, wait_for_worker,
                    watch_syncs)

pytestmark = pytest.mark.e2e


@pytest.fixture
def visit_logged(live_server, new_context, make):
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    mentor = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    make.pairing(mentor, edna)
    phone = new_context().new_page()
    phone.goto(live_server.url + "/#/sign-in")
    sign_in_mentor(phone, mentor)
    phone.click("[aria-label='Log a visit with Edna Whitworth']")
    # who else sees it is Edna's choice, never the mentor's
    phone.wait_for_selector("text=Only Edna can share it with the care team.")
    assert phone.locator("input[name=visibility]").count() == 0
    phone.fill("input[name=activity]", "Looked at old photographs")
    phone.click("label.choice:has-text('45 minutes')")
    phone.click("button:has-text('Save the visit')")
    phone.wait_for_selector("text=Saved on this tablet.")  # a tablet-sized screen
    wait_all_sent(phone)
    tablet = new_context().new_page()
    enrol(tablet, live_server, make.device(org).raw_key)
    open_journal(tablet, "Edna Whitworth", "2468")
    wait_all_sent(tablet)
    return phone, tablet


def test_the_mentor_sees_the_visit_in_their_hours(visit_logged):
    phone, _ = visit_logged
    phone.click("text=My hours")
    phone.wait_for_selector("text=Edna Whitworth: Looked at old photographs")
    assert phone.locator("dd").first.inner_text() == "45 minutes"


def test_the_learner_sees_the_visit_was_written_by_their_mentor(visit_logged):
    _, tablet = visit_logged
    tablet.click("text=Look at it")
    tablet.wait_for_selector("text=Looked at old photographs")
    assert tablet.is_visible("text=Written by")
    assert tablet.is_visible("button:has-text('Agree')") and tablet.is_visible("button:has-text('Hide')")


def test_a_visit_the_learner_changes_shows_her_answer_once_saved(visit_logged):
    """Change, then Save: back on the visit she was answering, not on her home page."""
    _, tablet = visit_logged
    tablet.click("text=Look at it")
    tablet.click("a:has-text('Change')")
    tablet.wait_for_selector("h1:has-text('Change what I did')")
    tablet.fill("input[name=activity]", "Looked at old photographs of the mill")
    tablet.click("button:has-text('Save')")
    tablet.wait_for_selector("h1:has-text('In my journal')")
    assert tablet.is_visible("text=Looked at old photographs of the mill")
    assert tablet.is_visible("text=Saved on this tablet.")


def test_the_words_after_a_tap_stay_when_the_sync_that_follows_refreshes_the_screen(
        visit_logged):
    _, tablet = visit_logged
    tablet.click("text=Look at it")
    tablet.click("button:has-text('Agree')")
    tablet.wait_for_selector("text=Thank you. Saved on this tablet.")
    wait_all_sent(tablet)  # the sync after the write has ended and refreshed the screen
    tablet.wait_for_timeout(500)

    assert tablet.locator("#main > p.note[role=status]").inner_text() == \
        "Thank you. Saved on this tablet."


def test_a_visit_the_learner_hides_leaves_the_mentors_phone(visit_logged):
    phone, tablet = visit_logged
    tablet.click("text=Look at it")
    tablet.click("button:has-text('Hide')")
    tablet.wait_for_selector("text=Hidden. Only you can see it now.")
    wait_all_sent(tablet)
    phone.click("text=My hours")
    phone.wait_for_selector("text=Edna Whitworth: Looked at old photographs")
    phone.evaluate("window.dispatchEvent(new Event('online'))")  # sync now, not in a minute
    phone.wait_for_selector("text=No visits logged yet.")
    # the hours say why a visit may no longer be counted here
    assert phone.is_visible("text=A visit a learner chose to keep to themselves is no longer "
                            "shown here; it stays in their journal.")


def mentor_on_his_phone(server, new_context, make):
    """David, paired with Edna, signed in on his phone, which holds the app's shell:
    (the organisation, Edna, David, the phone's page)."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth")
    mentor = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    make.pairing(mentor, edna)
    phone = new_context(viewport=PHONE, has_touch=True).new_page()
    phone.goto(server.url + "/#/sign-in")
    sign_in_mentor(phone, mentor)
    wait_all_sent(phone)
    wait_for_worker(phone)
    return org, edna, mentor, phone


def test_a_mentor_signs_in_and_logs_a_visit_with_no_network(live_server, new_context, make, auth, client):
    _, edna, mentor, phone = mentor_on_his_phone(live_server, new_context, make)

    live_server.stop()
    phone.context.set_offline(True)
    phone.goto(live_server.url + "/#/sign-in")  # a fresh start: the page comes from the worker
    sign_in_mentor(phone, mentor)
    phone.click("[aria-label='Log a visit with Edna Whitworth']")
    phone.fill("input[name=activity]", "A walk round the garden")
    phone.click("button:has-text('Save the visit')")
    phone.wait_for_selector("text=Saved on this phone. Will send when online.")
    # his tile says the visit waits to be sent, as a learner's does
    phone.click("button:has-text('Switch person')")
    phone.wait_for_selector(".tile:has-text('David Marsh') .waiting:text-is('Writing waiting "
                            "to be sent')")
    phone.click(".tile:has-text('David Marsh')")
    sign_in_mentor(phone, mentor)

    live_server.start()
    phone.context.set_offline(False)
    wait_all_sent(phone)
    sessions = api_get(client, f"/api/learners/{edna.id}/sessions", auth.headers(edna))
    assert [(s["activity"], s["visibility"]) for s in sessions["items"]] == [
        ("A walk round the garden", "mentor")]


def test_a_visit_hidden_while_the_mentor_was_changing_it_leaves_their_phone(visit_logged):
    """The learner hides the visit while the mentor's change to it is on its way: the page
    saying it left the mentor's sight comes while the phone's outbox holds the change, so the
    phone keeps the visit for it. The change is then refused, and the visit leaves the phone;
    the mentor's words wait among the changes that need them."""
    phone, tablet = visit_logged
    tablet.click("text=Look at it")
    tablet.click("button:has-text('Hide')")
    tablet.wait_for_selector("text=Hidden. Only you can see it now.")
    wait_all_sent(tablet)
    changed = []

    def change_it_during_the_pull(route):
        if not changed:
            changed.append(phone.evaluate("""async () => {
              const { list, write } = await import('/store/records.js');
              const { session } = await import('/store/people.js');
              const [visit] = await list(session(), 'sessions');
              return write(session(), 'sessions', visit.id, { note: 'She named everyone' });
            }"""))
        route.continue_()

    phone.route("**/api/sync/pull", change_it_during_the_pull)
    phone.click("text=My hours")
    phone.wait_for_selector("text=Edna Whitworth: Looked at old photographs")
    phone.evaluate("window.dispatchEvent(new Event('online'))")  # sync now, not in a minute

    phone.wait_for_selector("text=No visits logged yet.")
    held = phone.evaluate("""async () => {
      const { held } = await import('/store/outbox.js');
      const { session } = await import('/store/people.js');
      return (await held(session())).map((h) => [h.mutation.fields, h.error.error]);
    }""")
    assert changed and held == [[{"note": "She named everyone"}, "forbidden"]]
    phone.click("a:has-text('Look now')")  # the card says whose journal the visit was for
    phone.wait_for_selector("h3:text-is('A visit with Edna Whitworth could not be sent')")


def test_my_learners_shows_what_the_first_sync_brought_while_the_screen_was_loading(
        live_server, new_context, make):
    """Signing in starts a sync and opens My learners, which waits for the list of learners
    from the server. A sync that ends meanwhile, while the sign-in form is still on show, must
    still redraw the screen on its way: it shows the visit the sync brought, not the empty
    phone it found."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth")
    mentor = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    make.pairing(mentor, edna)
    make.session(edna, author=mentor, activity="Looked at old photographs", visibility="mentor")
    phone = new_context(viewport=PHONE).new_page()
    phone.goto(live_server.url + "/#/sign-in")
    watch_syncs(phone)
    held, released = [], []

    def hold(route):  # the list of learners waits until the sync has ended
        if released:
            route.continue_()
        else:
            held.append(route)

    phone.route("**/api/me/learners", hold)
    phone.fill("input[name=email]", mentor.email)
    phone.fill("input[name=password]", MENTOR_PASSWORD)
    phone.click("button:has-text('Sign in')")
    phone.wait_for_function("() => window.syncsDone >= 1")
    assert held and phone.locator("h1:has-text('My learners')").count() == 0

    released.append(True)
    for route in held:
        route.continue_()

    phone.wait_for_selector("h1:has-text('My learners')")
    phone.wait_for_selector(".card:has-text('Edna Whitworth') >> text=Looked at old photographs")
    assert phone.locator("text=No visits logged yet.").count() == 0
    # an address of a visit the phone does not hold says so, rather than open an empty form
    go(phone, f"visit/{edna.id}/0193a1b2-0000-7000-8000-000000000000",
       "h1:text-is('This visit is not here')")
    assert phone.is_visible("text=That visit is no longer on this phone.")


def test_a_new_password_from_staff_keeps_the_visit_waiting_on_the_mentors_phone(
        live_server, browser, new_context, make, auth, client):
    """David forgot his password with a visit not yet sent: Helen gives him a new one on his
    page under People, which ends his sign-in; with the new password the visit waits for the
    old one, and is sent once he types it."""
    org, edna, mentor, phone = mentor_on_his_phone(live_server, new_context, make)
    helen = make.staff(org, name="Helen Okafor", is_admin=True, password="a long staff password")
    phone.context.set_offline(True)
    phone.click("[aria-label='Log a visit with Edna Whitworth']")
    phone.fill("input[name=activity]", "Sorted the button tin together")
    phone.click("button:has-text('Save the visit')")
    phone.wait_for_selector("text=Saved on this phone. Will send when online.")
    phone.click("button:has-text('Switch person')")

    context, office = staff_signed_in(browser, live_server, helen, "a long staff password")
    try:
        office.goto(f"{live_server.url}/#/staff/person/{mentor.id}")
        office.fill("input[name=password]", "the new one for David")
        office.click("button:text-is('Save the new password')")
        office.wait_for_selector("p.note[role=status]:has-text('Saved. David Marsh has a new "
                                 "password, and is signed out everywhere.')")
    finally:
        context.close()

    phone.context.set_offline(False)
    phone.click(".tile:has-text('David Marsh')")
    sign_in_mentor(phone, mentor, password="the new one for David")
    phone.click("a:has-text('Look now')")
    phone.wait_for_selector("h3:text-is('Writing saved with your old password')")
    phone.fill("input[name=pin]", "not the old one")
    phone.click("button:has-text('Send it')")
    phone.wait_for_selector("text=That was not the old password. Please try again.")
    phone.fill("input[name=pin]", MENTOR_PASSWORD)
    phone.click("button:has-text('Send it')")
    phone.wait_for_selector("text=Nothing needs you just now.")
    wait_all_sent(phone)
    sessions = api_get(client, f"/api/learners/{edna.id}/sessions", auth.headers(edna))
    assert [(s["activity"], s["author_id"]) for s in sessions["items"]] == [
        ("Sorted the button tin together", mentor.id)]


SHARED_SESSIONS = """async () => {
  const { list } = await import('/store/records.js');
  const { session } = await import('/store/people.js');
  return (await list(session(), 'sessions')).map((r) => r.id);
}"""


def test_a_learner_out_of_sight_while_his_phone_reads_pages_ahead_is_whole_when_back(
        app, live_server, new_context, make, auth, client):
    """His phone pulls her 1,200 shared sessions, the pages after the first fetched ahead.
    Staff mark her as having left while the pages ahead are read (they send none of hers),
    and she hides one session; she is marked back before the last. The phone takes no page
    read for another scope and pulls on from the page before: every shared session arrives,
    and the hidden one does not. Before, the pages ahead were lost for good."""
    from sqlalchemy import update

    from backend.extensions import db
    from backend.models import Person

    _, edna, _, phone = mentor_on_his_phone(live_server, new_context, make)
    headers = auth.headers(edna)
    ids = push_sessions(client, headers, edna.id, 1_200, visibility="mentor")
    lists, left = [], []

    def mark(active):
        with app.app_context():
            db.session.execute(update(Person).where(Person.id == edna.id).values(active=active))
            db.session.commit()

    def pull(route):
        body = json.loads(route.request.post_data)
        cursor = body.get("cursor")
        if body.get("ahead") and not lists:  # the first page, and the list of pages ahead
            answer = route.fetch()
            lists.append(answer.json()["ahead"])
            route.fulfill(response=answer)
            return
        if lists and cursor in lists[0][:-1] and not left:  # the first run read
            hidden = client.patch(f"/api/learners/{edna.id}/sessions/{ids[0]}",
                                  headers=headers, json={"visibility": "private"})
            assert hidden.status_code == 200, hidden.get_data(as_text=True)
            mark(False)
            left.append(cursor)
        elif lists and cursor == lists[0][-1]:  # the last: she is back
            mark(True)
        route.continue_()

    phone.route("**/api/sync/pull", pull)
    phone.evaluate("window.dispatchEvent(new Event('online'))")

    _until_true(lambda: sorted(phone.evaluate(SHARED_SESSIONS)) == sorted(ids[1:]))
    assert len(lists[0]) == 3 and left  # two runs and the last were read as planned


def _until_true(check, timeout=30):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "never true"
        time.sleep(0.2)
