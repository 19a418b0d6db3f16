"""Words the app owes the person at the moments that are easy to get wrong: writing typed just
before the tablet's page closes is kept; "Try again" on a change the server turned away says
what happened; a mentor's refused visit says whose it was and on what day, in the app's words;
and the screen of a change made in two places names the entry it is about."""
import datetime
import os

import pytest

from .steps import (MENTOR_PASSWORD, api_get, enrol, go, open_journal, wait_all_sent,
                    wait_for_worker)
from .test_conflict import _changed_on_two_tablets
from .test_sync_access import come_online_and_sync, log_visit, mentor_phone, unpair

pytestmark = pytest.mark.e2e

PIN = "2468"


# --- 1. unfinished writing and a page that closes -------------------------------------------

def test_writing_typed_just_before_the_page_closes_is_offered_back(live_server, new_context,
                                                                    make):
    """Edna types her thoughts quickly and the page is closed a moment after the last key,
    before the pause that keeps a draft as she types: hiding the page keeps it at once, so when
    the journal is opened again her home page offers every word back."""
    org = make.org()
    make.learner(org, name="Edna Whitworth", pin=PIN)
    context = new_context()
    page = context.new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", PIN)
    wait_all_sent(page)
    wait_for_worker(page)
    go(page, "reflection/new", "textarea[name=text]")
    words = "My grandson taught me to send a photo"
    page.type("textarea[name=text]", words, delay=20)
    page.close(run_before_unload=True)  # at once: well within the 0.4 s pause

    again = context.new_page()
    again.goto(live_server.url + "/")
    again.wait_for_selector("h1:has-text('Who is using the tablet?')")
    open_journal(again, "Edna Whitworth", PIN)
    again.click(f"a.action:text-is('Carry on: My thoughts, “{words}”')")
    again.wait_for_selector("text=We kept what you were writing last time.")
    assert again.input_value("textarea[name=text]") == words


# --- 2 and 3. a mentor's visit turned away, and "Try again" ------------------------------------

@pytest.fixture
def turned_away(live_server, new_context, make, runner):
    """David logs a visit with Edna on his phone with no signal, from My learners; meanwhile
    staff end the pairing. Back online, the server turns the visit away: (page, Edna, David)."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin=PIN)
    david = make.mentor(org, name="David Marsh", password=MENTOR_PASSWORD)
    make.pairing(david, edna)
    phone = mentor_phone(live_server, new_context, david)
    phone.context.set_offline(True)
    log_visit(phone, "Edna Whitworth", "Read the racing pages together")  # "Saved on this phone."
    unpair(runner, david, edna)
    come_online_and_sync(phone)
    return phone, edna, david


def test_a_turned_away_visit_says_whose_it_was_and_its_day_and_not_that_all_is_well(turned_away):
    """Back online, My learners no longer says "Saved on this phone." over the visit the server
    has just turned away. The card names Edna, though the pairing has ended (the phone kept her
    name while her visit waited there), and gives the day as the app does everywhere."""
    phone, _, _ = turned_away
    phone.wait_for_selector("text=You have no learners yet.")  # My learners, drawn after the sync
    phone.wait_for_selector("text=1 thing needs you to look at it.")
    assert phone.locator("#main > p.note[role=status]").count() == 0
    look(phone, "mentor-after-refusal")

    phone.click("a:has-text('Look now')")
    card = phone.locator(".card", has_text="could not be sent")
    card.wait_for()
    assert card.locator("h3").inner_text() == "A visit with Edna Whitworth could not be sent"
    assert "You are no longer paired with Edna Whitworth." in card.inner_text()
    day = datetime.date.today()
    assert card.locator("dt:text-is('The day') + dd").inner_text() == \
        f"{day:%A} {day.day} {day:%B}"
    look(phone, "mentor-refused-visit")


def test_try_again_says_it_was_turned_away_again_and_then_that_it_went(
        turned_away, make, client, auth):
    """"Try again" while the pairing is still ended: the card says, where a screen reader reads
    it out, that the visit was sent and turned away again, and why. Staff pair them again; "Try
    again" sends it, and the page says it went as the card leaves."""
    phone, edna, david = turned_away
    phone.click("a:has-text('Look now')")
    phone.click("button:has-text('Try again')")

    line = phone.locator(".card p[role=status]", has_text="turned away again")
    line.wait_for()
    assert line.inner_text() == ("Sent again just now, and turned away again. "
                                 "You are no longer paired with Edna Whitworth.")
    # focus goes to it once the page is drawn again with it (a sync may draw it first)
    phone.wait_for_function("() => { const el = document.activeElement; return el && "
                            "el.matches('.card p[role=status]') && "
                            "el.textContent.includes('turned away again'); }")
    assert phone.locator(".card", has_text="could not be sent").count() == 1
    look(phone, "try-again-turned-away")

    make.pairing(david, edna)
    phone.click("button:has-text('Try again')")
    phone.wait_for_selector("p[role=status]:text-is('A visit with Edna Whitworth: sent again, "
                            "and this time it went. Thank you.')")
    phone.wait_for_selector("text=Nothing needs you just now.")
    assert phone.locator(".card").count() == 0
    look(phone, "try-again-went")
    activities = api_get(client, f"/api/learners/{edna.id}/sessions", auth.headers(edna))
    assert [item["activity"] for item in activities["items"]] == [
        "Read the racing pages together"]


# --- 4. the screen of a change made in two places ---------------------------------------------

def test_the_screen_of_a_change_made_in_two_places_names_the_entry(live_server, new_context,
                                                                   make):
    """Bill's goal's "why" was changed on two tablets: the screen that shows both versions
    names the goal first, as "Things to look at" lists it."""
    _, goal, library = _changed_on_two_tablets(
        live_server, new_context, make, {"why": "Carol asked for the Fair Isle one."},
        {"why": "So they are not lost when I am gone."})

    assert library.locator("h1 + p").inner_text() == f"A goal: {goal.title}"
    look(library, "conflict-names-the-goal")


def look(page, name):
    """A screenshot for a person to look at, when ``ATTENTION_SHOTS`` names a folder."""
    folder = os.environ.get("ATTENTION_SHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)
