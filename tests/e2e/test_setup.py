"""An administrator sets up a tablet from the app itself, and its people's tiles appear."""
import pytest

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
    page.click("a:has-text('Back to What Matters')")
    page.wait_for_selector("h1:has-text('Welcome to What Matters')")
