"""What a learner reads, hears and chooses about her own words: a long reflection is read whole
on its page; "Read aloud" on a tablet without a voice says so; a tablet at 200% zoom is still a
tablet; the one choice of who sees "What matters to me" says it is for all four parts; the quote
tick says the review may show words only she can see; the 0 to 10 check-in reads as a scale."""
from datetime import date
from types import SimpleNamespace

import pytest

from .steps import (api_get, enrol, go, learner_at_a_tablet, open_entry, open_journal,
                    record_session, wait_all_sent, wait_for_worker)
from .test_screens import assert_accessible
from .test_storage_failure import save_while_storage_fails

pytestmark = pytest.mark.e2e

LONG = ("When I was a girl my father took me to the pier at Scarborough every Whit Monday, and "
        "we ate whelks from a paper cone while the brass band played on the bandstand. Today "
        "the music group played one of those marches and I cried a little, in a good way.")


def write_reflection(page, words, who_sees="Only me", quote=False):
    """From home: "My thoughts", "Write my thoughts", write, choose who sees it, Save."""
    page.click("a.action:has-text('My thoughts')")
    page.click("text=Write my thoughts")
    page.fill("textarea[name=text]", words)
    if quote:
        page.check("input[name=quote_consent]")
    page.click(f"fieldset:has(legend:text('Who can see this?')) label.choice:has-text('{who_sees}')")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved on this tablet.")


def test_a_long_reflection_is_read_whole_on_its_page(live_server, new_context, make):
    _, page = learner_at_a_tablet(live_server, new_context, make)
    write_reflection(page, LONG)
    # in the list, the headline is cut short at the end of a word
    headline = page.locator(".card h3", has_text="When I was a girl").inner_text()
    assert headline.endswith("…") and LONG.startswith(headline[:-1]) and len(headline) <= 91
    assert LONG not in page.locator("main").inner_text()

    open_entry(page, "reflections", headline)
    page.wait_for_selector("h1:has-text('In my journal')")
    assert LONG in page.locator("main .card").inner_text()


def test_writing_longer_than_an_entry_may_hold_is_not_saved_and_every_word_stays(
        live_server, new_context, make, client, auth):
    """8,001 letters (an emoji counts as one, as the server counts): the form says how long it
    is and what an entry holds, nothing is queued, and the words stay in the box; 8,000 is
    saved and reaches the server."""
    edna, page = learner_at_a_tablet(live_server, new_context, make)
    wait_all_sent(page)
    page.click("a.action:has-text('My thoughts')")
    page.click("text=Write my thoughts")
    words = "🌷" + "a" * 8000
    page.fill("textarea[name=text]", words)
    page.click("button:has-text('Save')")
    problem = page.locator("form .problem")
    problem.wait_for()
    assert problem.inner_text() == (
        "“What is on your mind?” is 8,001 letters long. An entry can hold 8,000 at most: please "
        "make it shorter, or write the rest as another entry. Your words are all still here.")
    assert page.input_value("textarea[name=text]") == words
    pending = """async () => (await import('/store/outbox.js')).count(
        (await import('/store/people.js')).session().person.id)"""
    assert page.evaluate(pending) == 0

    page.fill("textarea[name=text]", words[:-1])
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved on this tablet.")
    wait_all_sent(page)
    [kept] = api_get(client, f"/api/learners/{edna.id}/reflections", auth.headers(edna))["items"]
    assert kept["text"] == words[:-1]


def test_read_aloud_without_a_voice_says_so_and_the_button_comes_back(
        live_server, new_context, make):
    _, page = learner_at_a_tablet(live_server, new_context, make)
    record_session(page, "Sang in the lounge choir")
    # this Chromium has no voice at all, so speaking fails: the case under test
    voices = page.evaluate("""() => new Promise((ok) => {
      speechSynthesis.getVoices();
      setTimeout(() => ok(speechSynthesis.getVoices().length), 500);
    })""")
    assert voices == 0

    open_entry(page, "sessions", "Sang in the lounge choir")
    card = page.locator("main .card")
    card.locator("button.read-aloud").click()
    message = page.locator("text=This tablet cannot read aloud just now.")
    message.wait_for()
    assert message.get_attribute("role") == "alert"
    page.wait_for_function(
        "() => document.querySelector('main .card button.read-aloud').textContent === 'Read aloud'")
    assert page.locator("text=Stop reading").count() == 0


def test_a_tablet_at_200_percent_zoom_still_calls_itself_a_tablet(
        live_server, new_context, make):
    """A 1024x768 tablet at 200% zoom is a 512x384 window of twice the pixels (and its screen,
    as Playwright reports it, is that small too): enrolled, it is a tablet all the same."""
    zoomed = {"viewport": {"width": 512, "height": 384}, "device_scale_factor": 2}
    _, page = learner_at_a_tablet(live_server, lambda: new_context(**zoomed), make)
    wait_all_sent(page)
    wait_for_worker(page)  # offline, each screen comes from the worker's cache
    page.context.set_offline(True)
    record_session(page, "Watered the tomatoes")  # waits for "Saved on this tablet."
    page.wait_for_selector(".status-line:has-text('Saved on this tablet. Will send when online.')")
    assert page.locator("text=this phone").count() == 0
    page.context.set_offline(False)
    wait_all_sent(page)

    problem = save_while_storage_fails(page, "QuotaExceededError", "text=Record what I did",
                                       "Planted sweet peas", "30 minutes", "Save")
    assert problem == ("This could not be saved: this tablet is full. What you wrote is still "
                       "here. Please ask a member of staff to help.")


def test_who_sees_what_matters_is_one_choice_for_all_four_parts_and_home_says_it(
        live_server, new_context, make, auth, client):
    edna, page = learner_at_a_tablet(live_server, new_context, make)
    page.click("[aria-label='Write: What I like and how I like it']")
    legend = page.locator("form fieldset:has(input[name=visibility]) legend")
    assert legend.inner_text() == "Who can see what matters to me (all four parts)"
    page.fill("textarea[name=preferences]", "Gardening and the wireless")
    page.click("label.choice:has-text('Me and my mentor')")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Saved on this tablet.")
    # sent first: a screen drawn just as a sync ends can miss the entry for a moment (the views
    # of store/records.js read the pulled records, the log and the outbox one after another)
    wait_all_sent(page)

    seen = page.locator("h2:has-text('What matters to me') + p")
    assert seen.inner_text() == "Who can see what matters to me: Me and my mentor"
    page.click("[aria-label='Write: What I need']")
    assert page.is_checked("label.choice:has-text('Me and my mentor') input")


def test_the_quote_tick_says_the_review_may_show_words_only_she_can_see(
        live_server, new_context, make):
    _, page = learner_at_a_tablet(live_server, new_context, make)
    page.click("a.action:has-text('My thoughts')")
    page.click("text=Write my thoughts")
    tick = page.locator("label.choice:has(input[name=quote_consent])")
    words = tick.inner_text()
    assert words.startswith("You may share these words as a quote, without my name.")
    assert "Staff may then see these words in their review, without my name" in words
    assert "even if only I can see this entry" in words


# The check-in's choices as rows, top to bottom, each row its numbers left to right; and the
# smallest width and height of a choice.
SCALE_ROWS = """() => {
  const boxes = [...document.querySelectorAll('.scale .choice')].map((c) => {
    const r = c.getBoundingClientRect();
    return { n: Number(c.querySelector('input').value), top: Math.round(r.top), left: r.left,
             width: r.width, height: r.height };
  });
  const rows = [];
  for (const b of [...boxes].sort((a, b) => a.top - b.top || a.left - b.left)) {
    const row = rows.find((r) => Math.abs(r.top - b.top) < 4);
    if (row) row.numbers.push(b.n); else rows.push({ top: b.top, numbers: [b.n] });
  }
  return { rows: rows.map((r) => r.numbers), width: Math.min(...boxes.map((b) => b.width)),
           height: Math.min(...boxes.map((b) => b.height)) };
}"""

ONE_ROW = [list(range(11))]
TWO_ROWS = [list(range(6)), list(range(6, 11))]
A_LIST = [[n] for n in range(11)]


@pytest.mark.parametrize("width, layouts", [(1024, [ONE_ROW]), (512, [TWO_ROWS]),
                                            (320, [TWO_ROWS, A_LIST])])
def test_the_check_in_reads_as_a_scale_from_0_to_10_at_every_width(
        live_server, new_context, make, width, layouts):
    _, page = learner_at_a_tablet(live_server, new_context, make)
    page.set_viewport_size({"width": width, "height": 768})
    go(page, "checkin/1", ".scale .choice")
    scale = page.evaluate(SCALE_ROWS)
    assert scale["rows"] in layouts
    assert scale["width"] >= 48 and scale["height"] >= 48


def test_a_check_in_with_every_question_skipped_saves_nothing(live_server, new_context, make,
                                                               auth, client):
    learner, page = learner_at_a_tablet(live_server, new_context, make)
    page.click("a.action:has-text('How I am feeling')")
    for step in range(1, 5):
        page.wait_for_selector(f"h1:has-text('Question {step} of 4')")
        page.click("button:has-text('Skip this question')")
    page.wait_for_selector("h1:has-text('Nothing to save')")
    assert page.locator("button:has-text('Save my answers')").count() == 0
    page.click("a:has-text('Back to home')")
    page.wait_for_selector("a.action:has-text('Record what I did')")
    wait_all_sent(page)
    stored = api_get(client, f"/api/learners/{learner.id}/checkins", auth.headers(learner))
    assert stored["items"] == []


def test_she_can_look_back_at_how_she_answered_before(live_server, new_context, make):
    org = make.org()
    learner = make.learner(org, name="Edna Whitworth", pin="2468")
    make.record("checkins", learner, date=date(2026, 10, 3), life_satisfaction=6, worthwhile=8,
                happy=5, anxious=2)
    page = new_context().new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", "2468")
    wait_all_sent(page)
    page.click("a.action:has-text('How I am feeling')")
    page.click("a:has-text('See how I answered before')")
    page.wait_for_selector("h1:has-text('How I have been feeling')")
    card = page.locator(".card", has_text="How I was feeling on").first
    assert "Saturday 3 October" in card.inner_text()
    assert "8 out of 10" in card.inner_text() and "2 out of 10" in card.inner_text()
    page.click("a:has-text('Back to home')")
    page.wait_for_selector("a.action:has-text('Record what I did')")


def test_she_sees_who_on_the_staff_read_her_journal_and_who_made_a_copy(live_server, new_context,
                                                                        make, client, auth):
    edna, page = learner_at_a_tablet(live_server, new_context, make)
    page.click("text=Text size and settings")
    page.click("a:text-is('Who has read my journal')")
    page.wait_for_selector("text=No member of staff has read your journal.")

    helen = make.staff(SimpleNamespace(id=edna.organisation_id), name="Helen Okafor",
                       is_admin=True)
    make.goal(edna, title="Knit a blanket", visibility="care_team")
    headers = auth.headers(helen)
    assert client.get(f"/api/learners/{edna.id}/goals", headers=headers).status_code == 200
    assert client.get(f"/api/learners/{edna.id}/export.html", headers=headers).status_code == 200
    page.click("a:text-is('Back')")
    page.click("a:text-is('Who has read my journal')")
    page.wait_for_selector(".card-list li")
    items = page.locator(".card-list li").all_inner_texts()
    assert len(items) == 2
    assert "Helen Okafor made a copy of your whole journal, with what only you can see." in items[0]
    assert "Helen Okafor read your goals, which you share with the care team." in items[1]
    assert "Knit a blanket" not in page.inner_text("main")
    # a look at a part she shares none of reads nothing, and says so
    assert client.get(f"/api/learners/{edna.id}/reflections", headers=headers).status_code == 200
    page.click("a:text-is('Back')")
    page.click("a:text-is('Who has read my journal')")
    page.wait_for_selector(".card-list li >> nth=2")
    assert ("Helen Okafor looked for your thoughts shared with the care team. You share none, so "
            "nothing was read.") in page.locator(".card-list li").first.inner_text()


def test_her_home_page_tells_her_of_reads_since_she_last_looked(live_server, new_context, make,
                                                                client, auth):
    """Four reads by staff before she opens her journal: her home page names the newest three
    and says there is one more; once she has seen them all, it says nothing of them."""
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    helen = make.staff(org, name="Helen Okafor", is_admin=True)
    goal = make.goal(edna, title="Knit a blanket", visibility="care_team")
    headers, hers = auth.headers(helen), auth.headers(edna)
    for path in ("goals", f"goals/{goal.id}", "reflections", "export.json"):
        assert client.get(f"/api/learners/{edna.id}/{path}", headers=headers).status_code == 200
    page = new_context().new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", "2468")

    note = page.locator(".new-reads .note")
    note.wait_for()
    today = page.evaluate(
        "async () => (await import('/ui/dom.js')).longDate(new Date().toISOString())")
    assert note.locator("li").all_inner_texts() == [f"{today}: {words}" for words in (
        "Helen Okafor made a copy of your whole journal, with what only you can see.",
        "Helen Okafor looked for your thoughts shared with the care team. You share none, so "
        "nothing was read.",
        "Helen Okafor read one entry of your goals, which you share with the care team.")]
    assert today.split()[0] in {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                "Saturday", "Sunday"}
    assert "And one more." in note.inner_text() and "Knit a blanket" not in note.inner_text()
    assert_accessible(page)

    note.locator("a:text-is('See who has read my journal')").click()
    page.wait_for_selector("h1:text-is('Who has read my journal')")
    page.wait_for_selector(".card-list li >> nth=3")
    marks = page.locator(".card-list li .meta").all_inner_texts()
    assert [t.count("New") for t in marks] == [1] * 4
    page.click("a:text-is('Back')")  # to her home page, where she came from
    page.wait_for_selector("a.action:has-text('Record what I did')")
    page.wait_for_timeout(300)
    assert page.locator(".new-reads .note").count() == 0
    # the mark is the server's: she is not told again on another tablet either
    assert api_get(client, "/api/me/readers", hers)["unseen"] == 0
    page.click("text=Text size and settings")
    page.click("a:text-is('Who has read my journal')")
    page.wait_for_selector("h1:text-is('Who has read my journal')")
    page.wait_for_selector(".card-list li >> nth=3")
    assert "New" not in page.locator(".card-list").inner_text()
