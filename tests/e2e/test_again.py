""""Again: …" on the home page repeats a recent session in one tap: the form opens with what she
did, how long and who with, filled in. A long description is cut short on the shortcut, at the
end of a word, so that it stays a button and not a page of text; the form has all of it."""
import pytest

from .steps import api_get, learner_at_a_tablet, record_session, wait_all_sent

pytestmark = pytest.mark.e2e

LONG = ("Painted the garden from the conservatory window in watercolours, the roses by the wall "
        "and the old apple tree, with Joan, who showed me how to mix a green that looks like "
        "leaves in the rain")


def test_again_opens_the_form_filled_in_and_a_long_description_is_cut_short_on_its_button(
        live_server, new_context, make, auth, client):
    edna, page = learner_at_a_tablet(live_server, new_context, make)
    record_session(page, "Sang in the lounge choir")
    record_session(page, LONG, "45 minutes")

    # read in one go, once both shortcuts show: a sync ending redraws the page
    short_height, long_height, long_text = page.wait_for_function("""() => {
      const shortcuts = [...document.querySelectorAll('a.action')];
      const short = shortcuts.find((a) => a.textContent.includes('Again: Sang in the lounge'));
      const long = shortcuts.find((a) => a.textContent.includes('Again: Painted the garden'));
      return short && long && long.offsetHeight
        ? [short.offsetHeight, long.offsetHeight, long.textContent.trim()] : null;
    }""").json_value()
    assert long_text == "Again: Painted the garden from the conservatory window in…, 45 minutes"
    assert long_height < 2 * short_height

    long = page.locator("a.action:has-text('Again: Painted the garden')")
    long.click()
    page.wait_for_selector("h1:has-text('Record what I did')")
    assert page.input_value("input[name=activity]") == LONG
    assert page.is_checked("label.choice:has-text('45 minutes') input")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved on this tablet.")
    wait_all_sent(page)
    items = api_get(client, f"/api/learners/{edna.id}/sessions", auth.headers(edna))["items"]
    assert sorted(item["activity"] for item in items) == sorted(
        ["Sang in the lounge choir", LONG, LONG])
