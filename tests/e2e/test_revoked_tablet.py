"""A tablet revoked by staff while a learner's writing waits on it, in headless Chromium against
the real server. The trust line says the tablet is no longer set up to send and asks for a
member of staff, never for her PIN; her right PIN is never called wrong, on "Open my journal
again" or on her tile, and the server counts no wrong PIN. Once staff set the tablet up again
(a new key), her tile and PIN are enough: the journal asks for a new sign-in and sends what
waited, once. Writing turned away and kept on the tablet is never "All sent".

Each test makes its own home and tablet, so the tests run in any order and on any worker."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from backend.extensions import db
from backend.models import Person, Token
from backend.models.types import utcnow

from .steps import (MENTOR_PASSWORD, api_get, enrol, open_journal, record_session,
                    wait_all_sent, wait_for_worker)
from .test_sync_access import (come_online_and_sync, log_visit, mentor_phone, unpair,
                               wait_until_sent)

pytestmark = pytest.mark.e2e

PIN = "1470"
ADMIN_PASSWORD = "a long staff password"
NOT_SET_UP = ("Saved on this tablet. This tablet is no longer set up to send. Please ask a "
              "member of staff. Your writing is safe here.")
STATUS = "#status .status-line"


@pytest.fixture
def tablet(live_server, new_context, make):
    """Peggy's journal open on a Brookside tablet, everything sent: the page, with the home
    (``page.home``: org, peggy, admin, device) on it."""
    org = make.org(name="Brookside Home Support")
    peggy = make.learner(org, name="Peggy Lomax", pin=PIN)
    admin = make.staff(org, name="Aisha Rahman", is_admin=True, password=ADMIN_PASSWORD)
    device = make.device(org, name="Loan tablet")
    page = new_context().new_page()
    enrol(page, live_server, device.raw_key)
    open_journal(page, "Peggy Lomax", PIN)
    wait_all_sent(page)
    wait_for_worker(page)  # the tests go offline: every screen comes from the worker's cache
    page.home = {"org": org, "peggy": peggy, "admin": admin, "device": device}
    return page


def _write_offline(page, activity):
    page.context.set_offline(True)
    record_session(page, activity)


def _revoke(client, auth, page):
    """Staff revoke the tablet (the Tablets page's request): it, and every sign-in on it."""
    home = page.home
    resp = client.post(f"/api/devices/{home['device'].id}/revoke",
                       headers=auth.headers(home["admin"]))
    assert resp.status_code == 200, resp.get_data(as_text=True)


def _trust_line_says(page, words):
    """Wait until the trust line (and the line below it) says ``words``, and nothing else: a
    sync on the app's own timer may show "Sending…" for a moment."""
    page.wait_for_function(
        "(words) => document.getElementById('status').innerText.split(/\\s+/).join(' ').trim()"
        " === words", arg=words, timeout=15000)


def _failed_pins(app, person):
    with app.app_context():
        return db.session.scalar(select(Person.failed_attempts).where(Person.id == person.id))


def _sessions_on_server(client, auth, person):
    found = api_get(client, f"/api/learners/{person.id}/sessions", auth.headers(person))
    return [item["activity"] for item in found["items"]]


def _type_pin(page, pin):
    page.wait_for_selector("text=Your PIN")
    for digit in pin:
        page.click(f".keypad button:text-is('{digit}')")
    page.click("button:has-text('Open my journal')")


def test_a_revoked_tablet_asks_for_staff_and_never_calls_her_right_pin_wrong(
        tablet, app, client, auth, tmp_path):
    page, peggy = tablet, tablet.home["peggy"]
    _write_offline(page, "Steadier hands today")
    _revoke(client, auth, page)
    page.context.set_offline(False)

    page.wait_for_selector(f"{STATUS}.waiting:has-text('no longer set up to send')")
    _trust_line_says(page, NOT_SET_UP)
    assert not page.locator("#status a:has-text('Open my journal again')").count()
    page.screenshot(path=str(tmp_path / "revoked-trust-line.png"))

    # "Open my journal again", reached all the same, asks for no PIN that cannot help
    page.evaluate("location.hash = '#/reopen'")
    page.wait_for_selector("main h1:has-text('Open my journal again')")
    assert page.inner_text("main .note") == NOT_SET_UP.removeprefix("Saved on this tablet. ")
    assert not page.locator("main input[name=secret]").count()
    assert page.is_visible("main a:has-text('Back to my journal')")
    page.screenshot(path=str(tmp_path / "revoked-reopen.png"))

    # her tile: a PIN the tablet does not know is not called wrong, since no server can say
    page.click("button:has-text('Switch person')")
    page.click(".tile:has-text('Peggy Lomax')")
    _type_pin(page, "9999")
    problem = page.wait_for_selector("main .problem")
    assert "did not match" not in problem.inner_text()
    assert "this tablet is no longer set up" in problem.inner_text()
    # her right PIN opens her journal on the tablet, as ever
    _type_pin(page, PIN)
    page.wait_for_selector("a.action.first:has-text('Record what I did')")
    page.wait_for_selector(f"{STATUS}.waiting:has-text('no longer set up to send')")

    assert _failed_pins(app, peggy) == 0
    assert _sessions_on_server(client, auth, peggy) == []


def test_her_right_pin_on_open_my_journal_again_is_not_called_wrong_once_the_tablet_is_revoked(
        tablet, app, client, auth, tmp_path):
    """Her sign-in expired, so the trust line asks her to open her journal again; staff revoke
    the tablet before she types her PIN there."""
    page, peggy = tablet, tablet.home["peggy"]
    with app.app_context():
        db.session.execute(update(Token).where(Token.person_id == peggy.id)
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    record_session(page, "Steadier hands today")
    page.click("#status a:has-text('Open my journal again')")
    page.wait_for_selector("main h1:has-text('Open my journal again')")
    _revoke(client, auth, page)

    page.fill("input[name=secret]", PIN)
    page.click("button:has-text('Send my writing')")

    said = page.wait_for_selector("main .note")
    assert said.inner_text() == NOT_SET_UP.removeprefix("Saved on this tablet. ")
    assert "did not match" not in page.inner_text("main")
    assert not page.locator("main input[name=secret]").count()  # no PIN can help here
    # the trust line learns it too, and no longer offers to open the journal again
    page.wait_for_selector(f"{STATUS}.waiting:has-text('no longer set up to send')")
    _trust_line_says(page, NOT_SET_UP)
    page.screenshot(path=str(tmp_path / "revoked-reopen-pin.png"))
    assert _failed_pins(app, peggy) == 0


def test_once_staff_set_the_tablet_up_again_her_tile_and_pin_send_what_waited(
        tablet, client, auth):
    page, peggy = tablet, tablet.home["peggy"]
    _write_offline(page, "Steadier hands today")
    _revoke(client, auth, page)
    page.context.set_offline(False)
    page.wait_for_selector(f"{STATUS}:has-text('no longer set up to send')")
    page.click("button:has-text('Switch person')")

    # with no network at all her journal still opens on the tablet
    page.context.set_offline(True)
    open_journal(page, "Peggy Lomax", PIN)
    page.wait_for_selector(f"{STATUS}:has-text('Saved on this tablet. Will send when online.')")
    page.click("button:has-text('Switch person')")
    page.context.set_offline(False)

    # a member of staff sets the tablet up again, on it: a new key
    page.click("text=Sign in with email")
    page.fill("input[name=email]", page.home["admin"].email)
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('Hello, Aisha Rahman')")
    page.click("button:has-text('Set up this tablet')")
    page.wait_for_selector(".tile:has-text('Peggy Lomax')")

    open_journal(page, "Peggy Lomax", PIN)
    wait_all_sent(page)
    assert _sessions_on_server(client, auth, peggy) == ["Steadier hands today"]


def test_a_tablet_set_up_again_while_her_journal_was_closed_sends_her_next_writing(
        tablet, live_server, client, auth):
    """Nothing of hers was refused yet: the tablet's key changed since her sign-in was made."""
    page, peggy = tablet, tablet.home["peggy"]
    page.click("button:has-text('Switch person')")
    # her journal closed (the switch lets a sync finish first) before staff come to the tablet
    page.wait_for_selector("h1:has-text('Who is using the tablet?')")
    _revoke(client, auth, page)
    again = client.post("/api/devices", json={"name": "Loan tablet"},
                        headers=auth.headers(page.home["admin"]))
    assert again.status_code == 201, again.get_data(as_text=True)
    enrol(page, live_server, again.json["device_key"])

    open_journal(page, "Peggy Lomax", PIN)
    record_session(page, "Read the paper online")
    wait_all_sent(page)
    assert not page.locator("#status a:has-text('Open my journal again')").count()
    assert _sessions_on_server(client, auth, peggy) == ["Read the paper online"]


def test_writing_turned_away_and_kept_on_the_tablet_is_not_all_sent(tablet, make, client, auth):
    """Staff changed her PIN while her writing waited: it is kept under the old one, on this
    tablet only, until she types it; the trust line never says "All sent" meanwhile."""
    page, peggy = tablet, tablet.home["peggy"]
    _write_offline(page, "Steadier hands today")
    page.click("button:has-text('Switch person')")
    page.wait_for_selector(".tile:has-text('Peggy Lomax') >> text=Writing waiting to be sent")
    changed = client.patch(f"/api/people/{peggy.id}", json={"pin": "2580"},
                           headers=auth.headers(page.home["admin"]))
    assert changed.status_code == 200, changed.get_data(as_text=True)
    page.context.set_offline(False)

    open_journal(page, "Peggy Lomax", "2580")
    page.wait_for_selector("#status .status-line.problem:has-text('1 thing needs you to look at "
                           "it.')")
    page.wait_for_function("() => !document.querySelector('#status .status-line.sending')")
    assert "All sent" not in page.inner_text("#status")
    _trust_line_says(page, "Not everything could be sent. It is safe on this tablet and waits "
                           "for you. 1 thing needs you to look at it. Look now")

    page.click("a:has-text('Look now')")
    page.fill("input[name=pin]", PIN)
    page.click("button:has-text('Send it')")
    page.wait_for_selector("text=Nothing needs you just now.")
    wait_all_sent(page)
    assert _sessions_on_server(client, auth, peggy) == ["Steadier hands today"]


def test_a_visit_the_server_turned_away_is_not_all_sent(live_server, new_context, make, runner,
                                                       client, auth):
    """David logs a visit offline; staff end his pairing meanwhile, so the server refuses it:
    his outbox is empty, yet the visit waits on his phone for him."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    david = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    make.pairing(david, edna)
    phone = mentor_phone(live_server, new_context, david)
    log_visit(phone, "Edna Whitworth", "Looked at old photographs")
    wait_until_sent(phone)
    phone.context.set_offline(True)
    log_visit(phone, "Edna Whitworth", "A walk round the garden")
    unpair(runner, david, edna)

    come_online_and_sync(phone)

    phone.wait_for_selector("text=1 thing needs you to look at it.")
    assert "All sent" not in phone.inner_text("#status")
    _trust_line_says(phone, "Not everything could be sent. It is safe on this phone and waits "
                            "for you. 1 thing needs you to look at it. Look now")
