"""Two tablets change the same goal while offline: nothing wins silently; both versions are
shown side by side and the person settles it with one tap."""
import pytest

from .steps import api_get, enrol, open_journal, wait_all_sent, wait_for_worker

pytestmark = pytest.mark.e2e

FOCUSED = "() => document.activeElement.tagName + ' ' + document.activeElement.textContent"


def _change_goal(page, title, fields):
    """Change the goal called ``title``: ``fields`` are the form's fields by name."""
    page.click("text=My goals")
    page.click(f'[aria-label="Open: {title}"]')
    page.click("a:has-text('Change')")
    for name, value in fields.items():
        page.fill(f"[name={name}]", value)
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved on this tablet.")


def _changed_on_two_tablets(live_server, new_context, make, lounge_fields, library_fields,
                            title="Write my mother's knitting patterns in a book"):
    """Bill's goal changed offline on the lounge tablet, then on the library one: the lounge's
    change is sent first, so the library tablet shows the conflict. (learner, goal, library)"""
    org = make.org()
    learner = make.learner(org, name="Bill Ashworth", pin="8642")
    goal = make.goal(learner, title=title, why="So they are not lost.")
    pages = []
    for name in ("Lounge tablet", "Library tablet"):
        context = new_context()
        page = context.new_page()
        enrol(page, live_server, make.device(org, name=name).raw_key)
        open_journal(page, "Bill Ashworth", "8642")
        wait_all_sent(page)
        wait_for_worker(page)
        context.set_offline(True)
        pages.append((context, page))
    (lounge_context, lounge), (library_context, library) = pages
    _change_goal(lounge, goal.title, lounge_fields)
    _change_goal(library, goal.title, library_fields)
    lounge_context.set_offline(False)
    wait_all_sent(lounge)
    library_context.set_offline(False)
    library.click("a:has-text('Look now')")
    library.click("text=See both versions")
    library.wait_for_selector(".version")
    return learner, goal, library


def _section(page, heading):
    return page.locator("section", has=page.locator(f"h2:text-is('{heading}')"))


def test_the_same_goal_changed_on_two_tablets_offline_is_settled_by_the_person(
        live_server, new_context, make, auth, client):
    learner, goal, library = _changed_on_two_tablets(
        live_server, new_context, make, {"title": "Video-call my grandson on Sundays"},
        {"title": "Video-call the whole family"}, title="Learn to video-call my grandson")
    versions = library.locator(".version")
    assert versions.count() == 2
    assert "Video-call my grandson on Sundays" in versions.nth(0).inner_text()
    assert "Written on another device" in versions.nth(0).inner_text()
    assert "Video-call the whole family" in versions.nth(1).inner_text()
    assert "Written on this tablet" in versions.nth(1).inner_text()
    library.click("[aria-label='Keep this one: Video-call the whole family']")
    library.wait_for_selector("text=Nothing needs you just now.")
    wait_all_sent(library)
    # the screen it lands on says what was done, and focus is on its heading, as on any new one
    assert library.is_visible("p.note[role=status]:has-text('Settled. Saved on this tablet.')")
    assert library.evaluate(FOCUSED) == "H1 Things to look at"

    stored = api_get(client, f"/api/learners/{learner.id}/goals/{goal.id}", auth.headers(learner))
    assert stored["title"] == "Video-call the whole family"
    assert stored["conflicts"] == {}


def test_a_goals_title_changed_in_two_places_is_never_run_together(
        live_server, new_context, make, auth, client):
    learner, goal, library = _changed_on_two_tablets(
        live_server, new_context, make, {"title": "Write down Mother's patterns for Carol"},
        {"title": "Put Mother's patterns in a book for the grandchildren"})

    title = _section(library, "The goal")
    assert title.locator(".version").count() == 2
    assert title.locator("button:has-text('Keep both')").count() == 0
    assert library.locator("button:has-text('Keep both')").count() == 0


def test_why_changed_in_two_places_can_be_kept_both_and_says_so_where_it_lands(
        live_server, new_context, make, auth, client):
    learner, goal, library = _changed_on_two_tablets(
        live_server, new_context, make,
        {"title": "Write down Mother's patterns for Carol",
         "why": "Carol asked for the Fair Isle one.\nShe wants to teach her daughter."},
        {"title": "Put Mother's patterns in a book",
         "why": "So they are not lost when I am gone."})
    assert _section(library, "The goal").locator("button:has-text('Keep both')").count() == 0

    library.click("[aria-label=\"Keep this one: Put Mother's patterns in a book\"]")
    # the "why" still waits: the same screen again, with what was done and focus on its heading
    library.wait_for_selector("p.note[role=status]:has-text('Settled. Saved on this tablet.')")
    assert library.locator("h2:text-is('The goal')").count() == 0
    assert library.evaluate(FOCUSED) == "H1 Changed in two places"
    wait_all_sent(library)  # and its sync is over, so it cannot redraw what comes next

    _section(library, "Why it matters").locator("button:has-text('Keep both')").click()
    library.wait_for_selector("text=Nothing needs you just now.")
    assert library.is_visible("p.note[role=status]:has-text('Both kept. Saved on this tablet.')")
    assert library.evaluate(FOCUSED) == "H1 Things to look at"
    wait_all_sent(library)
    assert library.evaluate(FOCUSED) == "H1 Things to look at"

    stored = api_get(client, f"/api/learners/{learner.id}/goals/{goal.id}", auth.headers(learner))
    assert stored["title"] == "Put Mother's patterns in a book"
    # the version the server had first, then this tablet's, with a blank line between them
    assert stored["why"] == ("Carol asked for the Fair Isle one.\nShe wants to teach her daughter."
                             "\n\nSo they are not lost when I am gone.")
    assert stored["conflicts"] == {}


def test_keep_both_is_not_offered_when_together_they_would_be_too_long(
        live_server, new_context, make, auth, client):
    lounge_why, library_why = "Stitches. " * 450, "Needles and wool. " * 250  # 4,500 letters
    learner, goal, library = _changed_on_two_tablets(
        live_server, new_context, make, {"why": lounge_why}, {"why": library_why})

    why = _section(library, "Why it matters")
    assert why.locator(".version").count() == 2
    assert library.locator("button:has-text('Keep both')").count() == 0
    assert "too long for one entry" in why.inner_text()
    # each button names its version in a few words, not 4,500 letters read out
    labels = [why.locator("button:has-text('Keep this one')").nth(n).get_attribute("aria-label")
              for n in range(2)]
    assert labels[0].startswith("Keep this one: Stitches. Stitches.") and labels[0].endswith("…")
    assert all(len(label) < 100 for label in labels), labels
    why.locator("button:has-text('Keep this one')").nth(1).click()
    library.wait_for_selector("text=Nothing needs you just now.")
    wait_all_sent(library)
    stored = api_get(client, f"/api/learners/{learner.id}/goals/{goal.id}", auth.headers(learner))
    assert stored["why"] == library_why.strip()
