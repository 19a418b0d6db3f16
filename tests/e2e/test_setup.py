"""An administrator sets up a tablet from the app itself, and its people's tiles appear."""
import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import Device

from .steps import MENTOR_PASSWORD, enrol, sign_in_mentor, staff_signed_in

pytestmark = pytest.mark.e2e


def test_an_administrator_sets_up_the_tablet_and_the_tiles_appear(live_server, new_context, make):
    org = make.org(name="Elmfield House")
    make.learner(org, name="Joan Fairclough")
    admin = make.staff(org, name="Helen Okafor", is_admin=True, password="a long staff password")
    page = new_context().new_page()
    page.goto(live_server.url + "/")
    page.click("text=Sign in with email")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", "a long staff password")
    page.click("button:has-text('Sign in')")
    page.fill("input[name=name]", "Library tablet")
    page.click("button:has-text('Set up this tablet')")
    page.wait_for_selector(".tile:has-text('Joan Fairclough')")
    assert page.is_visible("text=Elmfield House · Library tablet")


def test_staff_open_the_review_from_the_app_without_signing_in_again(live_server, new_context,
                                                                       make):
    org = make.org(name="Elmfield House")
    staff = make.staff(org, name="Tom Brennan", password="a long staff password")
    page = new_context().new_page()
    page.goto(live_server.url + "/#/sign-in")
    page.fill("input[name=email]", staff.email)
    page.fill("input[name=password]", "a long staff password")
    page.click("button:has-text('Sign in')")
    page.click("a:has-text('Open the regular review')")
    page.wait_for_selector("h1:has-text('The regular review: Elmfield House')")
    assert page.is_visible("#top-actions .who:text-is('Tom Brennan')")
    assert not page.is_visible("input[name=password]")
    # back in the app, in the same tab, still signed in: the staff page
    page.click("a:has-text('Back to What Matters')")
    page.wait_for_selector("h1:has-text('Hello, Tom Brennan')")


def test_a_mentor_signed_in_by_email_on_a_tablet_is_signed_out_when_it_is_revoked(
        live_server, new_context, make, client, auth):
    """The tablet's key goes with an email sign-in made on it: revoking a lost tablet ends the
    mentor's sign-in on it too, not only the learners'."""
    org = make.org(name="Elmfield House")
    make.learner(org, name="Joan Fairclough")
    mentor = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    tablet = make.device(org)
    page = new_context().new_page()
    enrol(page, live_server, tablet.raw_key)
    page.click("text=Sign in with email")
    sign_in_mentor(page, mentor)
    token = page.evaluate("async () => (await import('/store/people.js')).session().token")
    signed_in = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/auth/me", headers=signed_in).status_code == 200
    admin = make.staff(org, is_admin=True)
    revoked = client.post(f"/api/devices/{tablet.id}/revoke", headers=auth.headers(admin))
    assert revoked.status_code == 200
    assert client.get("/api/auth/me", headers=signed_in).status_code == 401


def test_a_member_of_staff_stays_signed_in_through_a_reload_until_she_switches_person(
        live_server, browser, make):
    """Her sign-in is kept in the tab alone: a reload keeps her on the screen she was on;
    "Switch person" ends it, and a new tab never had it."""
    org = make.org(name="Elmfield House")
    helen = make.staff(org, name="Helen Okafor", is_admin=True, password="a long staff password")
    context, page = staff_signed_in(browser, live_server, helen, "a long staff password")
    try:
        page.goto(f"{live_server.url}/#/staff/people")
        page.wait_for_selector(".people-list")
        page.reload()
        page.wait_for_selector(".people-list")
        assert page.inner_text(".who") == "Helen Okafor"
        assert page.is_visible("a:has-text('Add a learner')")  # still an administrator
        other = context.new_page()  # another tab of the same browser: not signed in
        other.goto(f"{live_server.url}/#/staff/people")
        other.wait_for_selector("h1:has-text('Welcome to What Matters')")
        page.click("button:has-text('Switch person')")
        page.wait_for_selector("h1:has-text('Welcome to What Matters')")
        page.reload()
        page.wait_for_selector("h1:has-text('Welcome to What Matters')")
        assert not page.is_visible(".who")
    finally:
        context.close()


def test_a_tablet_set_up_again_keeps_its_name_and_a_name_is_asked_for(live_server, new_context,
                                                                      make, app):
    org = make.org(name="Brookside Home Support")
    make.learner(org, name="Joan Fairclough")
    admin = make.staff(org, name="Helen Okafor", is_admin=True, password="a long staff password")
    page = new_context().new_page()

    def sign_in_as_staff():
        page.goto(live_server.url + "/#/sign-in")
        page.fill("input[name=email]", admin.email)
        page.fill("input[name=password]", "a long staff password")
        page.click("button:has-text('Sign in')")
        page.wait_for_selector("h1:has-text('Hello, Helen Okafor')")

    sign_in_as_staff()
    assert page.input_value("input[name=name]") == ""  # not a care home's "Lounge tablet"
    page.click("button:has-text('Set up this tablet')")
    page.wait_for_selector("form .problem:has-text('Please give this tablet a name')")
    page.fill("input[name=name]", "Loan tablet 3")
    page.click("button:has-text('Set up this tablet')")
    page.wait_for_selector("text=Brookside Home Support · Loan tablet 3")

    sign_in_as_staff()
    assert page.input_value("input[name=name]") == "Loan tablet 3"
    page.click("button:has-text('Set up this tablet')")
    page.wait_for_selector(".tile:has-text('Joan Fairclough')")
    assert page.is_visible("text=Brookside Home Support · Loan tablet 3")
    with app.app_context():
        names = [d.name for d in db.session.scalars(select(Device).order_by(Device.id))]
    assert names == ["Loan tablet 3", "Loan tablet 3"]
