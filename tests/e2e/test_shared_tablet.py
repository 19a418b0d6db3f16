"""One tablet, two learners: the second cannot read the first one's journal, on the page or in
IndexedDB (what the browser's developer tools would show); unsent writing survives switching."""
import json
import pathlib

import pytest

from .steps import api_get, enrol, indexeddb_text, open_journal, wait_all_sent, wait_for_worker

pytestmark = pytest.mark.e2e

SECRET = "Carol visits on Sundays"
PULLED = "I have knitted since I was seven"


def _write_reflection(page, words):
    page.click("text=My thoughts")
    page.click("text=Write my thoughts")
    page.fill("textarea[name=text]", words)
    page.click("button:has-text('Save')")
    page.wait_for_selector(f"text={words}")


@pytest.fixture
def tablet(live_server, new_context, make):
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    make.record("profile", edna, resources=PULLED)
    make.learner(org, name="Harold Pennington")
    page = new_context().new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", "2468")
    wait_all_sent(page)
    wait_for_worker(page)  # the tests go offline: every screen comes from the worker's cache
    page.edna, page.org = edna, org
    return page


def test_the_next_learner_cannot_see_the_first_ones_words_on_the_page(tablet):
    _write_reflection(tablet, SECRET)
    tablet.click("button:has-text('Switch person')")
    open_journal(tablet, "Harold Pennington")
    for route in ("home", "reflections", "sessions", "goals"):
        tablet.goto(tablet.url.split("#")[0] + f"#/{route}")
        tablet.wait_for_selector("h1")
        assert SECRET not in tablet.content()
        assert PULLED not in tablet.content()


def test_indexeddb_holds_no_journal_words_in_plain_text(tablet):
    tablet.context.set_offline(True)  # unsent: the words sit in the outbox
    _write_reflection(tablet, SECRET)
    tablet.click("button:has-text('Switch person')")
    tablet.wait_for_selector("h1:has-text('Who is using the tablet?')")
    tablet.context.set_offline(False)  # Harold opens his journal here for the first time
    open_journal(tablet, "Harold Pennington")
    stored = indexeddb_text(tablet)
    assert json.loads(stored)["what-matters/outbox"], "the unsent reflection is kept, sealed"
    assert SECRET not in stored
    assert PULLED not in stored
    assert "knitted" not in stored.lower()


def test_unsent_writing_is_sent_when_its_author_opens_the_journal_again(tablet, client, auth):
    tablet.context.set_offline(True)
    _write_reflection(tablet, SECRET)
    tablet.click("button:has-text('Switch person')")
    tablet.wait_for_selector(".tile:has-text('Edna Whitworth') >> text=Writing waiting to be sent")
    tablet.context.set_offline(False)
    open_journal(tablet, "Edna Whitworth", "2468")
    wait_all_sent(tablet)
    stored = api_get(client, f"/api/learners/{tablet.edna.id}/reflections", auth.headers(tablet.edna))
    assert [r["text"] for r in stored["items"]] == [SECRET]


def test_unsent_writing_survives_staff_changing_the_pin(tablet, make, client, auth):
    tablet.context.set_offline(True)
    _write_reflection(tablet, SECRET)
    tablet.click("button:has-text('Switch person')")
    tablet.wait_for_selector(".tile:has-text('Edna Whitworth') >> text=Writing waiting to be sent")
    staff = make.staff(tablet.org, is_admin=True)
    changed = client.patch(f"/api/people/{tablet.edna.id}", json={"pin": "1357"},
                           headers=auth.headers(staff))
    assert changed.status_code == 200, changed.get_data(as_text=True)
    tablet.context.set_offline(False)

    open_journal(tablet, "Edna Whitworth", "1357")
    tablet.click("a:has-text('Look now')")
    tablet.fill("input[name=pin]", "2468")
    tablet.click("button:has-text('Send it')")
    tablet.wait_for_selector("text=Nothing needs you just now.")
    wait_all_sent(tablet)
    stored = api_get(client, f"/api/learners/{tablet.edna.id}/reflections", auth.headers(tablet.edna))
    assert [r["text"] for r in stored["items"]] == [SECRET]


def test_switching_person_keeps_what_was_being_written(tablet):
    tablet.click("text=My thoughts")
    tablet.click("text=Write my thoughts")
    tablet.fill("textarea[name=text]", "Half a thought about the garden")
    tablet.click("button:has-text('Switch person')")
    open_journal(tablet, "Edna Whitworth", "2468")
    # her home page says where she left off, with its first words: one tap back to it
    tablet.click("a.action:text-is('Carry on: My thoughts, “Half a thought about the garden”')")
    tablet.wait_for_selector("text=We kept what you were writing last time.")
    assert tablet.input_value("textarea[name=text]") == "Half a thought about the garden"
    tablet.click("button:has-text('Save')")
    tablet.click("a:has-text('Back to home')")
    tablet.wait_for_selector("a.action:has-text('Record what I did')")
    assert not tablet.is_visible("text=have not saved it yet")


def test_the_next_learner_is_not_told_of_the_first_ones_unfinished_writing(tablet):
    tablet.click("text=My thoughts")
    tablet.click("text=Write my thoughts")
    tablet.fill("textarea[name=text]", "Half a thought about the garden")
    tablet.click("button:has-text('Switch person')")
    open_journal(tablet, "Harold Pennington")
    assert not tablet.is_visible("text=have not saved it yet")
    assert "garden" not in tablet.inner_text("body")


def test_a_learner_downloads_a_copy_of_their_journal(tablet):
    tablet.goto(tablet.url.split("#")[0] + "#/settings")
    with tablet.expect_download() as download:
        tablet.click("button:has-text('A page to read or print')")
    assert PULLED in pathlib.Path(download.value.path()).read_text(encoding="utf-8")
