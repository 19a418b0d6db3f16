"""What matters to me, written on a tablet, is the learner's one profile on the server: the
PWA and the server make its id the same way (docs/sync-protocol.md, "`profile`")."""
import pytest

from backend.journal.schemas import profile_id

from .steps import api_get, enrol, open_journal, wait_all_sent

pytestmark = pytest.mark.e2e


def test_what_matters_written_on_a_tablet_is_the_learners_one_profile(
        live_server, new_context, make, auth, client):
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    page = new_context().new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", "2468")

    page.evaluate("location.hash = '#/matters/needs'")
    page.fill("textarea[name=needs]", "A hand with the buttons on the tablet")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved on this tablet.")
    wait_all_sent(page)

    profiles = api_get(client, f"/api/learners/{edna.id}/profile", auth.headers(edna))
    assert [(p["id"], p["needs"]) for p in profiles["items"]] == [
        (profile_id(edna.id), "A hand with the buttons on the tablet")]
