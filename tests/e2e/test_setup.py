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
