"""The staff screens for mentor pairings, tablets and the audit log, in headless Chromium
against the real server: an administrator pairs a mentor with a learner and ends the pairing,
revokes a tablet, reads the audit log in words, one learner's at a time and a page at a time;
a member of staff who is not an administrator changes nothing and reads no log; offline, each
screen says it needs the internet; no axe violation of WCAG 2 A/AA, text 20px or more, targets
48px, no sideways scrolling at 320px wide or at 200% zoom.

Each test makes what it changes, so that the tests can run in any order and on any worker."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from backend.extensions import db
from backend.models import AuditEntry, Device, Pairing
from backend.models.types import utcnow

from ..conftest import Auth
from .conftest import TABLET
from .steps import staff_signed_in, wait_for_worker
from .test_screens import AXE_TAGS, MEASURE, OVERFLOWING, _axe

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "a long staff password"
STAFF_PASSWORD = "another long staff password"
OFFLINE_WORDS = "This needs the internet, and there is no connection just now."
TITLES = {"staff/pairings": "Mentors and learners", "staff/tablets": "Tablets",
          "staff/audit": "Who read or changed what"}


@pytest.fixture(scope="module")
def home(module_make, module_app):
    """A care home: an administrator and a member of staff who is not one, two mentors, three
    learners, a pairing now and one ended, a tablet used two days ago and one never used."""
    make = module_make
    org = make.org(name="Elmfield House")
    admin = make.staff(org, name="Helen Okafor", is_admin=True, password=ADMIN_PASSWORD)
    staff = make.staff(org, name="Tom Brennan", password=STAFF_PASSWORD)
    sam = make.mentor(org, name="Sam Patel")
    david = make.mentor(org, name="David Marsh")
    edna = make.learner(org, name="Edna Whitworth")
    harold = make.learner(org, name="Harold Pennington")
    make.pairing(david, harold)
    make.pairing(david, edna, ended=True)
    lounge = make.device(org, name="Lounge tablet")
    library = make.device(org, name="Library tablet")
    with module_app.app_context():
        db.session.execute(update(Device).where(Device.id == lounge.id)
                           .values(last_seen_at=utcnow() - timedelta(days=2)))
        db.session.commit()
    return {"org": org, "admin": admin, "staff": staff, "sam": sam, "david": david,
            "edna": edna, "harold": harold, "lounge": lounge, "library": library}


@pytest.fixture(scope="module")
def admin_page(browser, module_server, home):
    context, page = staff_signed_in(browser, module_server, home["admin"], ADMIN_PASSWORD)
    yield page
    context.close()


def show(page, route, heading=None):
    """Show the screen at `#/route` afresh (the staff sign-in lives in the page, so no reload)
    and wait for its heading."""
    page.evaluate("() => document.getElementById('main').replaceChildren()")
    page.evaluate("(route) => import('/ui/router.js').then((m) => m.go(route))", route)
    page.wait_for_selector(f"main h1:has-text('{heading or TITLES[route.split('?')[0]]}')")


def entry_words(page):
    """The audit log's entries on show, each as its sentence (without its time)."""
    return [" ".join(text.split()) for text in
            page.locator(".audit-entry p:not(.meta)").all_inner_texts()]


def local_day(moment):
    """"3 October 2026": the day of a UTC time in this machine's time zone (the browser's)."""
    moment = moment.astimezone()
    return f"{moment.day} {moment:%B %Y}"


def pairings_of(app, mentor, learner):
    with app.app_context():
        return db.session.scalars(select(Pairing).where(
            Pairing.mentor_id == mentor.id, Pairing.learner_id == learner.id)
            .order_by(Pairing.id)).all()


def test_an_administrator_pairs_a_mentor_with_a_learner_and_ends_it_after_confirming(
        admin_page, home, module_app):
    page, sam, edna = admin_page, home["sam"], home["edna"]
    show(page, "staff/pairings")
    page.select_option("select[name=mentor_id]", label="Sam Patel")
    page.select_option("select[name=learner_id]", label="Edna Whitworth")
    page.click("button:has-text('Pair them')")
    page.wait_for_selector("p.note[role=status]:has-text('Sam Patel now visits Edna Whitworth.')")
    [pairing] = pairings_of(module_app, sam, edna)
    assert pairing.ended_at is None
    card = page.locator("li.card", has_text="Mentor Sam Patel visits Edna Whitworth")
    assert card.inner_text().strip().startswith(
        f"Mentor Sam Patel visits Edna Whitworth, since {local_day(pairing.started_at)}.")

    # Ending asks first, saying what it means; "No" changes nothing. Each card's button says
    # whose pairing it ends, to a screen reader listing the buttons
    assert card.get_by_role("button", name="End this pairing: Sam Patel and Edna Whitworth",
                            exact=True).count() == 1
    card.get_by_role("button", name="End this pairing").click()
    step = card.locator(".confirm-step")
    assert step.is_visible()
    words = " ".join(step.inner_text().split())
    assert "Sam Patel will no longer see Edna Whitworth's journal." in words
    assert "It leaves Sam Patel's phone the next time that phone connects." in words
    assert "What Sam Patel wrote stays in Edna Whitworth's journal." in words
    assert page.evaluate("document.activeElement.textContent").startswith(
        "End the pairing of Sam Patel with Edna Whitworth?")
    card.get_by_role("button", name="No, keep it").click()
    assert not step.is_visible()
    assert pairings_of(module_app, sam, edna)[0].ended_at is None

    card.get_by_role("button", name="End this pairing").click()
    card.get_by_role("button", name="Yes, end this pairing").click()
    page.wait_for_selector("p.note[role=status]:has-text("
                           "'The pairing of Sam Patel with Edna Whitworth has ended.')")
    [pairing] = pairings_of(module_app, sam, edna)
    assert pairing.ended_at is not None
    ended = page.locator("section:has(h2:text-is('Pairings that have ended')) li.card",
                         has_text="Mentor Sam Patel visited Edna Whitworth")
    assert ended.count() == 1
    assert not page.locator("li.card", has_text="Mentor Sam Patel visits Edna Whitworth").count()

    # Both changes are in the audit log, in words, newest first.
    show(page, f"staff/audit?learner={edna.id}")
    assert entry_words(page)[:2] == [
        "Helen Okafor ended the pairing of the mentor Sam Patel with Edna Whitworth.",
        "Helen Okafor paired the mentor Sam Patel with Edna Whitworth.",
    ]


def test_pairing_two_people_already_paired_says_why_and_changes_nothing(admin_page, home,
                                                                        module_app):
    page = admin_page
    show(page, "staff/pairings")
    page.click("button:has-text('Pair them')")
    page.wait_for_selector(".problem:has-text('Please choose a mentor and a learner.')")
    page.select_option("select[name=mentor_id]", label="David Marsh")
    page.select_option("select[name=learner_id]", label="Harold Pennington")
    page.click("button:has-text('Pair them')")
    page.wait_for_selector(".problem:has-text("
                           "'David Marsh and Harold Pennington are already paired. "
                           "Nothing was changed.')")
    assert len(pairings_of(module_app, home["david"], home["harold"])) == 1
    # what was chosen stays chosen, to change
    assert page.eval_on_selector("select[name=mentor_id]",
                                 "(s) => s.selectedOptions[0].textContent") == "David Marsh"


def test_an_administrator_revokes_a_tablet_after_confirming_and_its_key_opens_nothing(
        admin_page, home, module_app, module_server):
    page, library = admin_page, home["library"]
    client = module_app.test_client()
    auth = Auth(module_app)
    on_the_tablet = auth.headers(home["harold"], device=library)  # a learner signed in on it
    assert client.get("/api/auth/me", headers=on_the_tablet).status_code == 200
    assert client.post("/api/auth/tiles", json={"device_key": library.raw_key}).status_code == 200
    show(page, "staff/tablets")
    lounge = page.locator("li.card", has=page.locator("h3", has_text="Lounge tablet"))
    assert "Last used 2 days ago." in lounge.inner_text()
    card = page.locator("li.card", has=page.locator("h3", has_text="Library tablet"))
    assert "Last used today." in card.inner_text()  # the tiles just now

    assert card.get_by_role("button", name="Revoke this tablet: Library tablet",
                            exact=True).count() == 1
    card.get_by_role("button", name="Revoke this tablet").click()
    words = " ".join(card.locator(".confirm-step").inner_text().split())
    assert "Revoke Library tablet? It stops working with What Matters at once." in words
    assert "Everyone who signed in on it is signed out, learners and mentors alike" in words
    assert "Anything written on it and not sent yet stays on that tablet." in words
    assert "set up again" in words
    card.get_by_role("button", name="Yes, revoke this tablet").click()
    page.wait_for_selector("p.note[role=status]:has-text('Library tablet is revoked.')")

    with module_app.app_context():
        assert db.session.get(Device, library.id).revoked_at is not None
        assert db.session.get(Device, home["lounge"].id).revoked_at is None
    assert client.post("/api/auth/tiles", json={"device_key": library.raw_key}).status_code == 401
    assert client.get("/api/auth/me", headers=on_the_tablet).status_code == 401
    revoked = page.locator("section:has(h2:text-is('Revoked tablets')) li.card.revoked",
                           has_text="Library tablet")
    assert revoked.locator(".revoked-mark:text-is('Revoked')").is_visible()
    assert not page.locator("section:has(h2:text-is('Tablets in use')) h3",
                            has_text="Library tablet").count()

    show(page, "staff/audit")
    assert entry_words(page)[0] == "Helen Okafor revoked a tablet: Library tablet."


def test_the_audit_log_says_in_words_who_read_or_changed_what_and_shows_one_learner(
        admin_page, home, module_make, module_app):
    page, admin, staff, harold = admin_page, home["admin"], home["staff"], home["harold"]
    rosa = module_make.mentor(home["org"], name="Rosa Ambrose")
    ivy = module_make.learner(home["org"], name="Ivy Marchetti")
    module_make.goal(ivy, title="Swim again", visibility="care_team")
    client = module_app.test_client()
    auth = Auth(module_app)
    as_admin, as_staff = auth.headers(admin), auth.headers(staff)

    def ok(response, status=200):
        assert response.status_code == status, response.get_data(as_text=True)
        return response.json

    ok(client.get(f"/api/learners/{harold.id}/goals", headers=as_staff))
    pairing = ok(client.post("/api/pairings", headers=as_admin,
                             json={"mentor_id": rosa.id, "learner_id": ivy.id}), 201)
    ok(client.get(f"/api/learners/{ivy.id}/goals", headers=as_staff))
    ok(client.get(f"/api/learners/{ivy.id}/export.json", headers=as_admin))
    ok(client.post(f"/api/pairings/{pairing['id']}/end", headers=as_admin))
    device = ok(client.post("/api/devices", headers=as_admin, json={"name": "Audit tablet"}),
                201)["device"]
    ok(client.post(f"/api/devices/{device['id']}/revoke", headers=as_admin))
    ok(client.post("/api/people", headers=as_admin,
                   json={"role": "learner", "display_name": "Nell Ashworth"}), 201)
    result = module_app.test_cli_runner().invoke(args=["pair", str(rosa.id), str(ivy.id)])
    assert result.exit_code == 0, result.output

    show(page, f"staff/audit?learner={ivy.id}")
    assert page.is_visible("text=Showing only the entries about Ivy Marchetti.")
    assert page.is_visible(".audit-range:text-is('Entries 1 to 5 of 5, newest first.')")
    assert entry_words(page) == [
        "The server's command line paired the mentor Rosa Ambrose with Ivy Marchetti.",
        "Helen Okafor ended the pairing of the mentor Rosa Ambrose with Ivy Marchetti.",
        "Helen Okafor downloaded the whole journal of Ivy Marchetti, private entries too, "
        "as a file for another app.",
        "Tom Brennan read the shared journal of Ivy Marchetti (goals, 1 entry).",
        "Helen Okafor paired the mentor Rosa Ambrose with Ivy Marchetti.",
    ]
    with module_app.app_context():
        newest = db.session.scalars(select(AuditEntry).where(AuditEntry.learner_id == ivy.id)
                                    .order_by(AuditEntry.id.desc())).first()
    shown = page.locator(".audit-entry time").first
    assert shown.get_attribute("datetime").startswith(newest.at.strftime("%Y-%m-%dT%H:%M"))
    assert re.fullmatch(r"[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d",
                        shown.inner_text())

    # Everyone's again: the other learner's read and the changes that name no learner show.
    page.click("a:has-text(\"Show everyone's entries\")")
    page.wait_for_selector("main h1:has-text('Who read or changed what')")
    page.wait_for_function("() => !document.querySelector('.audit-only')")
    everyone = entry_words(page)
    assert everyone[:4] == [
        "The server's command line paired the mentor Rosa Ambrose with Ivy Marchetti.",
        "Helen Okafor added Nell Ashworth as a learner.",
        "Helen Okafor revoked a tablet: Audit tablet.",
        "Helen Okafor set up a tablet: Audit tablet.",
    ]
    assert "Tom Brennan read the shared journal of Harold Pennington (goals, none shared)." in (
        everyone)

    # The same one learner, chosen from the list.
    page.select_option("select[name=learner]", label="Harold Pennington")
    page.click("button:has-text('Show')")
    page.wait_for_selector("text=Showing only the entries about Harold Pennington.")
    assert page.url.endswith(f"#/staff/audit?learner={harold.id}")
    assert all("Harold Pennington" in words for words in entry_words(page))
    assert "Tom Brennan read the shared journal of Harold Pennington (goals, none shared)." in (
        entry_words(page))


def test_the_audit_log_shows_50_entries_a_page_with_newer_and_older(admin_page, home,
                                                                     module_make, module_app):
    page = admin_page
    ada = module_make.learner(home["org"], name="Ada Lovell")
    start = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
    with module_app.app_context():
        db.session.add_all(AuditEntry(
            organisation_id=home["org"].id, actor_id=home["staff"].id, action="read_journal",
            learner_id=ada.id, at=start + timedelta(minutes=n),
            detail={"collection": "checkins", "count": n}) for n in range(60))
        db.session.commit()

    show(page, f"staff/audit?learner={ada.id}")
    assert page.inner_text(".audit-range") == "Entries 1 to 50 of 60, newest first."
    words = entry_words(page)
    assert len(words) == 50
    assert words[0] == "Tom Brennan read the shared journal of Ada Lovell (check-ins, 59 entries)."
    assert words[-1] == "Tom Brennan read the shared journal of Ada Lovell (check-ins, 10 entries)."
    assert not page.locator("a:text-is('Newer')").count()

    page.click("a:text-is('Older')")
    page.wait_for_selector(".audit-range:text-is('Entries 51 to 60 of 60, newest first.')")
    assert f"#/staff/audit?learner={ada.id}&page=2" in page.url
    words = entry_words(page)
    assert len(words) == 10
    assert words[-1] == "Tom Brennan read the shared journal of Ada Lovell (check-ins, none shared)."
    assert not page.locator("a:text-is('Older')").count()

    page.click("a:text-is('Newer')")
    page.wait_for_selector(".audit-range:text-is('Entries 1 to 50 of 60, newest first.')")


def test_staff_who_are_not_administrators_read_no_log_and_see_no_change_buttons(
        browser, module_server, home):
    context, page = staff_signed_in(browser, module_server, home["staff"], STAFF_PASSWORD)
    try:
        show(page, "staff/audit")
        assert page.is_visible("main p:text-is('Only an administrator can read the audit log.')")
        assert not page.locator(".audit-entry, .audit-range").count()

        show(page, "staff/pairings")
        page.wait_for_selector("li.card:has-text('Mentor David Marsh visits Harold Pennington')")
        assert not page.locator("form, select, button:has-text('End this pairing')").count()
        assert page.is_visible("text=Only an administrator can pair a mentor with a learner")

        show(page, "staff/tablets")
        page.wait_for_selector("li.card h3:has-text('Lounge tablet')")
        assert not page.locator("button:has-text('Revoke this tablet')").count()
        assert page.is_visible("text=Only an administrator can revoke a tablet.")
    finally:
        context.close()


def test_offline_each_screen_says_it_needs_the_internet(browser, module_server, home):
    context, page = staff_signed_in(browser, module_server, home["admin"], ADMIN_PASSWORD)
    try:
        wait_for_worker(page)
        # staff keep no journal on the tablet: the trust line has nothing to say while online
        assert page.inner_text("#status").strip() == ""
        context.set_offline(True)
        page.wait_for_selector("#status :text-is('No internet just now. The staff screens "
                               "need it.')")
        for route, title in TITLES.items():
            show(page, route)
            page.wait_for_selector(f".problem[role=alert]:text-is('{OFFLINE_WORDS}')")
            assert page.title() == f"{title} – What Matters"
            assert not page.locator(".card, .audit-entry, select").count()
    finally:
        context.close()


@pytest.mark.parametrize("route", ["staff/pairings", "staff/tablets", "staff/audit",
                                   "staff/audit?learner={edna}"])
def test_the_screens_pass_axe_and_the_size_rules(admin_page, home, route):
    page = admin_page
    show(page, route.format(edna=home["edna"].id), TITLES[route.split("?")[0]])
    for opener in ("End this pairing", "Revoke this tablet"):  # with a confirming step open
        if page.locator(f"button:has-text('{opener}')").count():
            page.locator(f"button:has-text('{opener}')").first.click()
    found = _axe(page, {"runOnly": {"type": "tag", "values": AXE_TAGS},
                        "resultTypes": ["violations"]})
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found] == []
    sizes = page.evaluate(MEASURE)
    assert sizes["small"] == []
    assert sizes["targets"] == []
    # 320px wide, and 200% zoom on a 1024px tablet (512px): no sideways scrolling
    try:
        for width in (320, 512):
            page.set_viewport_size({"width": width, "height": 640})
            assert page.evaluate(OVERFLOWING) == []
    finally:
        page.set_viewport_size(TABLET)
