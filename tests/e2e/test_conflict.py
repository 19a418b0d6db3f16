"""Two tablets change the same goal while offline: nothing wins silently; both versions are
shown side by side and the person settles it with one tap."""
import pytest

from .steps import api_get, enrol, open_journal, wait_all_sent, wait_for_worker

pytestmark = pytest.mark.e2e


def _change_goal_title(page, old, new):
    page.click("text=My goals")
    page.click(f"[aria-label='Open: {old}']")
    page.click("a:has-text('Change')")
    page.fill("input[name=title]", new)
    page.click("button:has-text('Save')")
    page.wait_for_selector(f"h3:has-text('{new}')")


def test_the_same_goal_changed_on_two_tablets_offline_is_settled_by_the_person(
        live_server, new_context, make, auth, client):
    org = make.org()
    learner = make.learner(org, name="Bill Ashworth", pin="8642")
    goal = make.goal(learner, title="Learn to video-call my grandson")
    pages = []
    for name in ("Lounge tablet", "Library tablet"):
        context = new_context()
        page = context.new_page()
        enrol(page, live_server, make.device(org, name=name).raw_key)
        open_journal(page, "Bill Ashworth", "8642")
        wait_all_sent(page)
        wait_for_worker(page)  # offline, the goal's screen comes from the worker's cache
        context.set_offline(True)
        pages.append((context, page))
    (lounge_context, lounge), (library_context, library) = pages

    _change_goal_title(lounge, "Learn to video-call my grandson", "Video-call my grandson on Sundays")
    _change_goal_title(library, "Learn to video-call my grandson", "Video-call the whole family")
    lounge_context.set_offline(False)
    wait_all_sent(lounge)
    library_context.set_offline(False)
    library.click("a:has-text('Look now')")
    library.click("text=See both versions")

    library.wait_for_selector(".version")
    versions = library.locator(".version")
    assert versions.count() == 2
    assert "Video-call my grandson on Sundays" in versions.nth(0).inner_text()
    assert "Written on another device" in versions.nth(0).inner_text()
    assert "Video-call the whole family" in versions.nth(1).inner_text()
    assert "Written on this tablet" in versions.nth(1).inner_text()
    library.click("[aria-label='Keep this one: Video-call the whole family']")
    library.wait_for_selector("text=Nothing needs you just now.")
    wait_all_sent(library)

    stored = api_get(client, f"/api/learners/{learner.id}/goals/{goal.id}", auth.headers(learner))
    assert stored["title"] == "Video-call the whole family"
    assert stored["conflicts"] == {}
