"""A sync that ends while a screen is on show redraws it with fresh data (a "quiet refresh"):
focus stays where the person had it, so a screen reader or a switch does not start again from
the top of the page a moment after each Save."""
import pytest

from .steps import learner_at_a_tablet, push_sessions, wait_all_sent

pytestmark = pytest.mark.e2e

# Counts the screens the router shows (a quiet refresh is one too) in ``window.screensShown``.
WATCH_SCREENS = """async () => {
  const { on } = await import('/store/events.js');
  window.screensShown = 0;
  on('screen', () => { window.screensShown += 1; });
}"""

# What has focus, in words a failing assertion can show.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'the page body';
  return `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') || el.textContent).trim()}"`
    + (el.getAttribute('href') ? ` ${el.getAttribute('href')}` : '');
}"""


def _wait_for_screens(page, shown):
    """Wait until the router has shown ``shown`` screens since the watch began; the focus it
    sets comes in the same task as the showing, so it is settled by then."""
    page.wait_for_function(f"() => window.screensShown >= {shown}", timeout=20000)


def _sync_now(context, page):
    """Coming back online syncs at once, as on a tablet whose wifi returns."""
    context.set_offline(True)
    page.wait_for_selector(".status-line:has-text('No internet just now')")
    context.set_offline(False)


def test_focus_stays_on_the_new_screens_heading_after_the_sync_that_follows_a_save(
        live_server, new_context, make):
    _, page = learner_at_a_tablet(live_server, new_context, make)
    wait_all_sent(page)
    page.click("text=My goals")
    page.click("a:has-text('Add a goal')")
    page.fill("input[name=title]", "Learn the names of the birds in the garden")
    page.evaluate(WATCH_SCREENS)
    page.click("button:has-text('Save')")
    page.wait_for_selector("h1:has-text('My goals')")
    _wait_for_screens(page, 1)
    assert page.evaluate(FOCUSED) == 'h1 "My goals"'

    _wait_for_screens(page, 2)  # the sync after the save brought the goal back: a quiet refresh
    wait_all_sent(page)
    assert page.evaluate(FOCUSED) == 'h1 "My goals"'
    assert page.is_visible("text=Saved on this tablet.")


def test_focus_stays_on_the_link_the_person_was_on_when_a_sync_redraws_the_screen(
        live_server, new_context, make, auth, client):
    learner, page = learner_at_a_tablet(live_server, new_context, make)
    wait_all_sent(page)
    page.evaluate("location.hash = '#/sessions'")
    page.wait_for_selector("h1:has-text('What I have done')")
    headers = auth.headers(learner)
    [first] = push_sessions(client, headers, learner.id, 1)  # written on her phone, say
    _sync_now(page.context, page)
    link = f"a[href='#/entry/sessions/{first}']"
    page.wait_for_selector(link)
    wait_all_sent(page)
    page.focus(link)
    page.evaluate(WATCH_SCREENS)

    [second] = push_sessions(client, headers, learner.id, 1)
    _sync_now(page.context, page)
    page.wait_for_selector(f"a[href='#/entry/sessions/{second}']")
    _wait_for_screens(page, 1)
    wait_all_sent(page)
    assert page.evaluate(FOCUSED) == f'a "Open: Walk number 1" #/entry/sessions/{first}'


def test_a_sync_leaves_focus_in_the_field_being_typed_in(
        live_server, new_context, make, auth, client):
    learner, page = learner_at_a_tablet(live_server, new_context, make)
    wait_all_sent(page)
    page.click("text=Record what I did")
    page.fill("input[name=activity]", "The quiz in the lounge")
    page.evaluate(WATCH_SCREENS)

    push_sessions(client, auth.headers(learner), learner.id, 1)
    _sync_now(page.context, page)
    wait_all_sent(page)
    page.wait_for_timeout(500)  # a redraw, were there one, would have come by now
    assert page.evaluate("window.screensShown") == 0
    assert page.evaluate("document.activeElement.name") == "activity"
    assert page.input_value("input[name=activity]") == "The quiz in the lounge"
