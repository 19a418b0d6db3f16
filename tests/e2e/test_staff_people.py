"""The staff "People" screens (pwa/views/staff-people.js, staff-add.js, staff-person.js), in
headless Chromium against the real server and database: an administrator adds people, changes
a PIN, lets a paused learner try again and marks someone as left; a member of staff who is not
an administrator sees the people but cannot change them; with no connection the screens say
so and lose nothing typed; axe finds nothing at WCAG 2 A/AA. One server and one sign-in each
for the whole module: every test works on people of its own."""
import json
import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import Person
from backend.models.types import utcnow

from .conftest import TABLET
from .steps import go, staff_signed_in
from .test_screens import AXE_TAGS, MEASURE, OVERFLOWING

pytestmark = pytest.mark.e2e

PASSWORD = "a long staff password"
STATUS = "main > p.note[role=status]"
NO_INTERNET = "This needs the internet, and there is no connection just now."


@pytest.fixture(scope="module")
def home(module_make):
    make = module_make
    org = make.org(name="Elmfield House")
    people = {
        "admin": make.staff(org, name="Helen Okafor", is_admin=True, password=PASSWORD),
        "staff": make.staff(org, name="Tom Brennan", password=PASSWORD),
        "mentor": make.mentor(org, name="David Marsh"),
        "edna": make.learner(org, name="Edna Whitworth", pin="2468"),
        "harold": make.learner(org, name="Harold Pennington"),
        "joan": make.learner(org, name="Joan Fairclough", pin="1357",
                             locked_by_staff_needed=True, failed_attempts=10),
        "arthur": make.learner(org, name="Arthur Davies", pin="9753"),
        "mabel": make.learner(org, name="Mabel Carter", active=False),
        "violet": make.learner(org, name="Violet Ames", pin="4321", opted_out=True),
        "nora": make.learner(org, name="Nora Quinn", pin="5555", failed_attempts=3,
                             locked_until=utcnow() + timedelta(hours=1)),
    }
    other = make.org(name="Brookside Home Support")
    make.learner(other, name="Someone Elsewhere")
    return {"org": org, "device": make.device(org), **people}


@pytest.fixture(scope="module")
def admin(browser, module_server, home):
    """Helen, an administrator, signed in on the office computer."""
    context, page = staff_signed_in(browser, module_server, home["admin"], PASSWORD)
    yield page
    context.close()


@pytest.fixture(scope="module")
def colleague(browser, module_server, home):
    """Tom, a member of staff who is not an administrator, signed in on another computer."""
    context, page = staff_signed_in(browser, module_server, home["staff"], PASSWORD)
    yield page
    context.close()


def people_list(page):
    go(page, "staff/people", "main h1:text-is('People')")
    page.wait_for_selector(".people-list")


def person_page(page, person):
    go(page, f"staff/person/{person.id}", f"main h1:text-is('{person.display_name}')")


def row(page, name):
    return page.locator(".person-row", has_text=name)


def stored(app, **where):
    """The people of the database matching ``where`` (column=value), as dicts of columns."""
    with app.app_context():
        found = db.session.scalars(select(Person).filter_by(**where).order_by(Person.id)).all()
        return [{c.name: getattr(p, c.name) for c in Person.__table__.columns} for p in found]


def one(app, person):
    [found] = stored(app, id=person.id)
    return found


def pin_sign_in(app, device, person_id, pin):
    """The status of opening a journal on the tablet with ``pin`` (the tile sign-in API)."""
    response = app.test_client().post("/api/auth/pin", json={
        "device_key": device.raw_key, "person_id": person_id, "pin": pin})
    return response.status_code


def tiles(app, device):
    response = app.test_client().post("/api/auth/tiles", json={"device_key": device.raw_key})
    assert response.status_code == 200
    return [p["display_name"] for p in response.json["people"]]


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(Axe().axe_script)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    found = page.evaluate(f"axe.run(document, {json.dumps(options)})")["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found]


def test_the_list_groups_people_marks_who_is_paused_and_who_has_left(admin, home):
    people_list(admin)
    groups = admin.evaluate("""() => Object.fromEntries(
      [...document.querySelectorAll('main section')].map((s) => [s.querySelector('h2').textContent,
                   [...s.querySelectorAll('.person-name')].map((n) => n.textContent)]))""")
    assert {"Edna Whitworth", "Harold Pennington", "Joan Fairclough"} <= set(groups["Learners"])
    assert groups["Learners"] == sorted(groups["Learners"])
    assert "Mabel Carter" not in groups["Learners"]
    assert "David Marsh" in groups["Mentors"] and "David Marsh" not in groups["Learners"]
    assert groups["Staff"] == ["Helen Okafor", "Tom Brennan"]
    assert "Mabel Carter" in groups["People who have left"]
    assert "Someone Elsewhere" not in json.dumps(groups)  # another organisation's
    assert "Paused after wrong PINs" in row(admin, "Joan Fairclough").inner_text()
    assert "Paused" not in row(admin, "Edna Whitworth").inner_text()
    assert "Has left" in row(admin, "Mabel Carter").inner_text()
    edna = row(admin, "Edna Whitworth")
    assert edna.get_attribute("href") == f"#/staff/person/{home['edna'].id}"
    for words in ("Add a learner", "Add a mentor", "Add a member of staff"):
        assert admin.is_visible(f"main a.button:text-is('{words}')")


def test_an_administrator_adds_a_learner_whose_pin_opens_her_journal(admin, home, module_app):
    people_list(admin)
    admin.click("a:text-is('Add a learner')")
    admin.wait_for_selector("main h1:text-is('Add a learner')")
    assert admin.is_visible("text=A PIN stops others opening this journal on a shared tablet")
    admin.fill("input[name=display_name]", "Winifred Hale")
    admin.fill("input[name=pin]", "8024")
    admin.click("label.choice:has-text('Leave out of the anonymous totals')")
    admin.click("button:text-is('Add this learner')")
    admin.wait_for_selector("main h1:text-is('Winifred Hale')")
    assert "Added Winifred Hale" in admin.inner_text(STATUS)
    [winifred] = stored(module_app, display_name="Winifred Hale")
    assert admin.url.endswith(f"#/staff/person/{winifred['id']}")
    assert (winifred["role"], winifred["organisation_id"]) == ("learner", home["org"].id)
    assert winifred["opted_out"] is True and winifred["active"] is True
    facts = admin.inner_text(".person-card")
    assert "Has a PIN" in facts and "Left out" in facts
    assert "Winifred Hale" in tiles(module_app, home["device"])
    assert pin_sign_in(module_app, home["device"], winifred["id"], "1111") == 401
    assert pin_sign_in(module_app, home["device"], winifred["id"], "8024") == 200


def test_a_refused_mentor_names_the_field_and_keeps_everything_typed(admin, home, module_app):
    go(admin, "staff/add/mentor", "main h1:text-is('Add a mentor')")
    admin.fill("input[name=display_name]", "Grace Lin")
    admin.fill("input[name=email]", home["mentor"].email.upper())
    admin.fill("input[name=password]", "short")
    admin.click("button:text-is('Add this mentor')")
    problem = admin.wait_for_selector("form > .problem")
    assert problem.inner_text() == (
        "This was not saved. Password: Length must be between 10 and 200.")
    assert admin.get_attribute("input[name=password]", "aria-invalid") == "true"
    assert admin.input_value("input[name=display_name]") == "Grace Lin"
    assert admin.input_value("input[name=email]") == home["mentor"].email.upper()
    assert admin.input_value("input[name=password]") == "short"
    assert stored(module_app, display_name="Grace Lin") == []

    admin.fill("input[name=password]", "a long enough password")
    admin.click("button:text-is('Add this mentor')")
    admin.wait_for_selector("form > .problem:has-text('Email address: is already in use')")
    assert admin.get_attribute("input[name=email]", "aria-invalid") == "true"
    assert admin.get_attribute("input[name=password]", "aria-invalid") is None
    assert admin.input_value("input[name=display_name]") == "Grace Lin"
    assert stored(module_app, display_name="Grace Lin") == []

    admin.fill("input[name=email]", "grace.lin@volunteers.example")
    admin.click("button:text-is('Add this mentor')")
    admin.wait_for_selector("main h1:text-is('Grace Lin')")
    [grace] = stored(module_app, display_name="Grace Lin")
    assert (grace["role"], grace["email"]) == ("mentor", "grace.lin@volunteers.example")
    login = module_app.test_client().post("/api/auth/login", json={
        "email": "grace.lin@volunteers.example", "password": "a long enough password"})
    assert login.status_code == 200


def test_removing_a_pin_says_so_and_the_learner_has_none(admin, home, module_app):
    edna = home["edna"]
    person_page(admin, edna)
    assert "Has a PIN" in admin.inner_text(".person-card")
    admin.click("button:text-is('Remove the PIN')")
    admin.wait_for_selector(f"{STATUS}:text-is('Saved. Edna Whitworth now has no PIN.')")
    assert one(module_app, edna)["pin_hash"] is None
    assert "No PIN" in admin.inner_text(".person-card")
    assert pin_sign_in(module_app, home["device"], edna.id, None) == 200

    admin.fill("input[name=pin]", "12")  # too short: the server's reason, the PIN kept
    admin.click("button:text-is('Save the PIN')")
    admin.wait_for_selector("form > .problem:has-text('PIN: a PIN is 4 to 8 digits')")
    assert admin.input_value("input[name=pin]") == "12"
    admin.fill("input[name=pin]", "2468")
    admin.click("button:text-is('Save the PIN')")
    admin.wait_for_selector(f"{STATUS}:text-is('Saved. Edna Whitworth now has a new PIN.')")
    assert pin_sign_in(module_app, home["device"], edna.id, "2468") == 200


def test_a_member_of_staff_lets_a_paused_learner_try_again(colleague, home, module_app):
    joan = home["joan"]
    assert pin_sign_in(module_app, home["device"], joan.id, "1357") == 423
    people_list(colleague)
    row(colleague, "Joan Fairclough").click()
    colleague.wait_for_selector("main h1:text-is('Joan Fairclough')")
    assert "Paused after wrong PINs" in colleague.inner_text(".person-card")
    colleague.click("button:text-is('Let them try again')")
    colleague.wait_for_selector(
        f"{STATUS}:text-is('Done. Joan Fairclough can try their PIN again.')")
    after = one(module_app, joan)
    assert after["locked_by_staff_needed"] is False and after["failed_attempts"] == 0
    assert colleague.locator("button:text-is('Let them try again')").count() == 0
    assert pin_sign_in(module_app, home["device"], joan.id, "1357") == 200


def test_marking_a_learner_as_left_asks_first_then_she_is_listed_as_left(admin, home, module_app):
    arthur = home["arthur"]
    person_page(admin, arthur)
    admin.click("button:text-is('Mark as left')")
    confirm = admin.wait_for_selector(".confirm-step")
    words = confirm.inner_text()
    assert "Arthur Davies will no longer be able to open their journal" in words
    assert "Their journal is kept" in words
    assert one(module_app, arthur)["active"] is True  # nothing happens before "Yes"
    admin.click("button:text-is('No, keep them')")
    assert not admin.is_visible(".confirm-step")
    assert one(module_app, arthur)["active"] is True

    admin.click("button:text-is('Mark as left')")
    admin.click("button:text-is('Yes, mark as left')")
    admin.wait_for_selector(f"{STATUS}:has-text('Saved. Arthur Davies is marked as left')")
    assert one(module_app, arthur)["active"] is False
    assert "Arthur Davies" not in tiles(module_app, home["device"])
    assert "No, has left" in admin.inner_text(".person-card")
    people_list(admin)
    left = admin.locator("section", has=admin.locator("h2:text-is('People who have left')"))
    assert "Arthur Davies" in left.inner_text()

    person_page(admin, arthur)
    admin.click("button:text-is('Mark as back')")
    admin.wait_for_selector(f"{STATUS}:has-text('Saved. Arthur Davies is back')")
    assert one(module_app, arthur)["active"] is True


def test_an_administrator_cannot_mark_herself_as_left_and_is_told_why(admin, home, module_app):
    person_page(admin, home["admin"])
    admin.click("button:text-is('Mark as left')")
    admin.click("button:text-is('Yes, mark as left')")
    admin.wait_for_selector(".confirm-step > .problem:has-text('you cannot deactivate yourself')")
    assert one(module_app, home["admin"])["active"] is True


def test_staff_who_are_not_administrators_see_people_but_cannot_change_them(colleague, home):
    people_list(colleague)
    assert colleague.is_visible("text=Only an administrator can add or change people.")
    assert row(colleague, "Violet Ames").is_visible()
    assert colleague.locator("main a[href^='#/staff/add/']").count() == 0
    person_page(colleague, home["violet"])
    colleague.wait_for_selector(".person-card")
    assert "Has a PIN" in colleague.inner_text(".person-card")
    assert colleague.locator("main form").count() == 0  # no name, PIN, totals or leaving
    for words in ("Save the name", "Remove the PIN", "Mark as left", "Let them try again"):
        assert colleague.locator(f"button:text-is('{words}')").count() == 0
    go(colleague, "staff/add/learner", "main h1:text-is('Add a learner')")
    assert colleague.is_visible("text=Only an administrator can add or change people.")
    assert colleague.locator("input[name=display_name]").count() == 0


def test_with_no_connection_the_screens_say_so_and_lose_nothing_typed(admin, home, module_app):
    go(admin, "staff/add/learner", "main h1:text-is('Add a learner')")  # the screens' code,
    people_list(admin)  # read once online, as it is on any visit
    person_page(admin, home["harold"])
    admin.context.set_offline(True)
    try:
        go(admin, "staff/people", f"main p.problem:text-is('{NO_INTERNET}')")
        assert admin.is_visible("main button:text-is('Try again')")
        go(admin, f"staff/person/{home['violet'].id}", f"main p.problem:text-is('{NO_INTERNET}')")

        go(admin, "staff/add/learner", "main h1:text-is('Add a learner')")
        admin.fill("input[name=display_name]", "Ivy Marsh")
        admin.fill("input[name=pin]", "8642")
        admin.click("button:text-is('Add this learner')")
        admin.wait_for_selector("form > .problem:has-text('This needs the internet')")
        assert "Nothing was changed." in admin.inner_text("form > .problem")
        assert admin.input_value("input[name=display_name]") == "Ivy Marsh"
        assert admin.input_value("input[name=pin]") == "8642"
        assert stored(module_app, display_name="Ivy Marsh") == []
    finally:
        admin.context.set_offline(False)
    admin.click("button:text-is('Add this learner')")  # the same words, sent once online
    admin.wait_for_selector("main h1:text-is('Ivy Marsh')")
    [ivy] = stored(module_app, display_name="Ivy Marsh")
    assert pin_sign_in(module_app, home["device"], ivy["id"], "8642") == 200


def _passes(page, shot=None):
    page.wait_for_timeout(150)  # let a background refresh settle
    if shot and os.environ.get("STAFF_PEOPLE_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["STAFF_PEOPLE_SHOTS"], f"{shot}.png"),
                        full_page=True)
    assert axe_violations(page) == []
    sizes = page.evaluate(MEASURE)
    assert sizes["small"] == [] and sizes["targets"] == []


def test_the_screens_pass_axe_and_the_size_rules_and_reflow_at_320px(admin, home):
    people_list(admin)
    _passes(admin, "staff-people-list")
    person_page(admin, home["violet"])
    _passes(admin, "staff-people-person")
    admin.click("button:text-is('Mark as left')")
    admin.wait_for_selector(".confirm-step")
    _passes(admin, "staff-people-confirm")
    person_page(admin, home["nora"])  # paused for a while: "Let them try again"
    _passes(admin, "staff-people-paused")
    person_page(admin, home["mabel"])  # has left: "Mark as back"
    _passes(admin)
    go(admin, "staff/add/staff", "main h1:text-is('Add a member of staff')")
    _passes(admin, "staff-people-add")
    admin.set_viewport_size({"width": 320, "height": 640})
    try:
        for route, heading in (("staff/people", "People"),
                               (f"staff/person/{home['violet'].id}", "Violet Ames"),
                               ("staff/add/learner", "Add a learner")):
            go(admin, route, f"main h1:text-is('{heading}')")
            admin.wait_for_timeout(100)
            assert admin.evaluate(OVERFLOWING) == [], route
    finally:
        admin.set_viewport_size(TABLET)


def test_a_new_password_is_offered_for_a_mentor_or_colleague_not_a_learner_or_oneself(admin,
                                                                                       home):
    section = "section:has(h2:text-is('Password'))"
    for person, offered in ((home["mentor"], True), (home["staff"], True),
                            (home["violet"], False), (home["admin"], False)):
        person_page(admin, person)
        admin.wait_for_selector(".person-card")
        assert admin.locator(section).count() == (1 if offered else 0), person.display_name
    person_page(admin, home["mentor"])
    admin.fill("input[name=password]", "short")
    admin.click("button:text-is('Save the new password')")
    admin.wait_for_selector(f"{section} .problem:has-text('Password: Length must be between "
                            "10 and 200.')")
    assert admin.input_value("input[name=password]") == "short"


def test_find_a_person_keeps_only_the_names_that_hold_what_is_typed(admin, home):
    people_list(admin)
    admin.fill("input[name=find]", "vio")
    shown = admin.locator(".person-row:visible .person-name").all_inner_texts()
    assert shown == ["Violet Ames"]
    assert admin.locator("section:visible h2").all_inner_texts() == ["Learners"]
    admin.fill("input[name=find]", "zzz")
    admin.wait_for_selector("text=Nobody here has “zzz” in their name.")
    assert admin.locator(".person-row:visible").count() == 0
    admin.fill("input[name=find]", "")
    assert admin.locator(".person-row:visible").count() == admin.locator(".person-row").count()
