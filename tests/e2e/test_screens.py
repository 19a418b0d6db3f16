"""Every screen, for a learner, a mentor, staff and someone not signed in: no axe violation of WCAG
2.0, 2.1 and 2.2 A/AA; body text at least 20px; targets at least 48px, the main actions 64px;
no sideways scrolling at 320px wide. Screenshots of the main screens go to docs/screenshots/."""
import json

import pytest

from .conftest import TABLET
from .steps import enrol, open_journal, screenshot, wait_all_sent

pytestmark = pytest.mark.e2e

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Every visible piece of text, and every visible target (a radio or checkbox is measured by its
# label, which is what a finger touches), with their sizes.
MEASURE = """() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && !el.closest('[hidden], .visually-hidden');
  };
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !visible(el) || el.closest('noscript')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 20) small.push(`${size}px: ${node.textContent.trim().slice(0, 40)}`);
  }
  const targets = [];
  for (const el of document.querySelectorAll('a[href], button, input, textarea, select, summary')) {
    if (el.type === 'hidden') continue;
    const target = ['radio', 'checkbox'].includes(el.type) ? el.closest('label') : el;
    if (!target || !visible(target)) continue;
    const r = target.getBoundingClientRect();
    const main = target.matches('.main, .action');
    const need = main ? 64 : 48;
    if (r.height < need - 0.5 || r.width < 48 - 0.5) {
      targets.push(`${Math.round(r.width)}x${Math.round(r.height)} (needs ${need}): ${(target.innerText || target.name || target.outerHTML).trim().slice(0, 40)}`);
    }
  }
  return {small, targets, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


# Elements wider than the page, when the page scrolls sideways.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > width + 0.5)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.innerText || '').trim().slice(0, 30)}`).slice(0, 8);
}"""


@pytest.fixture(scope="module")
def people(module_make):
    make = module_make
    org = make.org(name="Elmfield House")
    edna = make.learner(org, name="Edna Whitworth", pin="2468")
    make.learner(org, name="Harold Pennington")
    mentor = make.mentor(org, name="David Marsh", password="a long mentor password")
    make.pairing(mentor, edna)
    make.record("profile", edna, needs="Big print and good light.",
                preferences="Mornings suit me best.", resources="I have knitted since I was seven.",
                networks="My daughter Carol visits on Sundays.")
    make.goal(edna, title="Knit a blanket for my great-granddaughter", whose_idea="own")
    conflicted = make.goal(edna, title="Learn to video-call my grandson", whose_idea="agreed",
                           conflicts={"title": [{"value": "Video-call the whole family",
                                                 "rev": "5b1a8c52-5f1e-4f7e-9a3e-0d7c2b1f4e11",
                                                 "author_id": edna.id,
                                                 "at": "2026-11-20T10:00:00.000000Z"}]})
    visit = make.session(edna, author=mentor, activity="Went through the old patterns",
                         visibility="mentor", note="Edna did most of it without help.")
    make.session(edna, activity="Chair exercises in the lounge", minutes=25, benefits=["body_active"])
    make.record("contributions", edna, kind="offer", what="Cable stitch knitting")
    make.record("contributions", edna)
    reflection = make.record("reflections", edna, text="I surprised myself today.", quote_consent=True)
    make.record("checkins", edna)
    admin = make.staff(org, name="Helen Okafor", is_admin=True, password="a long staff password")
    return {"org": org, "edna": edna, "mentor": mentor, "admin": admin, "device": make.device(org),
            "conflicted": conflicted, "visit": visit, "reflection": reflection}


@pytest.fixture(scope="module")
def tablet(browser, module_server, people):
    """A learner's tablet: enrolled, Edna's journal open and synced, one refused change held."""
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    enrol(page, module_server, people["device"].raw_key)
    open_journal(page, "Edna Whitworth", "2468")
    wait_all_sent(page)
    # A change the server refuses (a session of 100 hours), so "Not sent" has something to show.
    page.evaluate("""async () => {
      const { write } = await import('/store/records.js');
      const { session } = await import('/store/people.js');
      await write(session(), 'sessions', null, { activity: 'A very long afternoon', minutes: 6000 });
    }""")
    page.wait_for_selector("text=2 things need you to look at them.")
    yield page
    context.close()


@pytest.fixture(scope="module")
def phone(browser, module_server, people):
    """A mentor's phone, signed in by email and password."""
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.goto(f"{module_server.url}/#/sign-in")
    page.fill("input[name=email]", people["mentor"].email)
    page.fill("input[name=password]", "a long mentor password")
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('My learners')")
    wait_all_sent(page)
    yield page
    context.close()


@pytest.fixture(scope="module")
def desk(browser, module_server, people):
    """A member of staff signed in on a tablet that is not set up yet."""
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.goto(f"{module_server.url}/#/sign-in")
    page.fill("input[name=email]", people["admin"].email)
    page.fill("input[name=password]", "a long staff password")
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('Hello, Helen Okafor')")
    yield page
    context.close()


@pytest.fixture(scope="module")
def stranger(browser, module_server, people):
    """An enrolled tablet with nobody signed in."""
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    enrol(page, module_server, people["device"].raw_key)
    yield page
    context.close()


LEARNER_SCREENS = [
    ("home", "03-home"), ("session/new", "04-record-a-session"), ("sessions", "05-what-i-have-done"),
    ("matters/needs", "06-what-matters-to-me"), ("goals", "07-my-goals"), ("goal/new", "08-a-new-goal"),
    ("entry/sessions/{visit}", "09-written-by-my-mentor"), ("contributions", "10-for-others"),
    ("contribution/given/new", None), ("contribution/offer/new", "11-learn-from-me"),
    ("reflections", None), ("reflection/new", "12-my-thoughts"), ("checkin/1", "13-check-in"),
    ("checkin/5", None), ("checkins", None), ("attention", "14-things-to-look-at"),
    ("conflict/goals/{conflicted}", "15-changed-in-two-places"), ("settings", "16-text-size-and-settings"),
    ("install", None), ("entry/reflections/{reflection}", None), ("reopen", None), ("readers", None),
]
MENTOR_SCREENS = [("mentor", "17-mentor-my-learners"), ("visit/{edna}/new", "18-mentor-log-a-visit"),
                  ("hours", "19-mentor-my-hours")]
OPEN_SCREENS = [("", "01-who-is-using-the-tablet"), ("open/{edna}", "02-pin"), ("sign-in", None),
                ("setup", None)]


def _show(page, route, people):
    ids = {"visit": people["visit"].id, "conflicted": people["conflicted"].id,
           "edna": people["edna"].id, "reflection": people["reflection"].id}
    page.goto(page.url.split("#")[0] + "#/" + route.format(**ids))
    page.wait_for_selector("main h1")
    page.wait_for_timeout(150)  # let a background refresh settle


def _axe(page, options):
    """axe-core's violations; axe is injected once per page (routes change only the hash)."""
    from axe_playwright_python.sync_playwright import Axe

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(Axe().axe_script)
    return page.evaluate(f"axe.run(document, {json.dumps(options)})")["violations"]


def assert_accessible(page):
    """The screen as it is now: no axe violation, no text under 20px, no target too small."""
    found = _axe(page, {"runOnly": {"type": "tag", "values": AXE_TAGS},
                        "resultTypes": ["violations"]})
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found] == []
    sizes = page.evaluate(MEASURE)
    assert sizes["small"] == [] and sizes["targets"] == []


def _check(page, route, people, shot):
    _show(page, route, people)
    if shot:
        screenshot(page, shot)
    found = _axe(page, {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found]
    assert violations == []
    sizes = page.evaluate(MEASURE)
    assert sizes["small"] == []
    assert sizes["targets"] == []


@pytest.mark.parametrize("route, shot", LEARNER_SCREENS)
def test_learner_screen_passes_axe_and_the_size_rules(tablet, people, route, shot):
    _check(tablet, route, people, shot)


def test_the_check_in_answers_screen_passes_axe_and_the_size_rules(tablet, people):
    """checkin/5 above, with nothing answered, says there is nothing to save; with an answer it
    is the form that saves them."""
    _show(tablet, "checkin/1", people)
    tablet.click(".scale .choice:has(input[value='7'])")
    tablet.click("button:has-text('Next')")
    tablet.wait_for_selector("h1:has-text('Question 2 of 4')")
    _check(tablet, "checkin/5", people, None)
    assert tablet.is_visible("button:has-text('Save my answers')")


@pytest.mark.parametrize("route, shot", MENTOR_SCREENS)
def test_mentor_screen_passes_axe_and_the_size_rules(phone, people, route, shot):
    _check(phone, route, people, shot)


STAFF_SCREENS = [("staff", "21-staff-set-up-this-tablet"), ("staff/people", "22-staff-people"),
                 ("staff/person/{edna}", "23-staff-a-person"), ("staff/add/mentor", None),
                 ("staff/pairings", "24-staff-mentors-and-learners"),
                 ("staff/tablets", "25-staff-tablets"), ("staff/audit", "26-staff-who-read-or-changed-what")]


@pytest.mark.parametrize("route, shot", STAFF_SCREENS)
def test_staff_screen_passes_axe_and_the_size_rules(desk, people, route, shot):
    if route == "staff/audit":  # something in the log: Helen reads what Edna shared, twice
        desk.evaluate("""async (learner) => {
          const { session } = await import('/store/people.js');
          const headers = { Authorization: `Bearer ${session().token}` };
          for (const part of ['goals', 'sessions']) {
            const answer = await fetch(`/api/learners/${learner}/${part}`, { headers });
            if (!answer.ok) throw new Error(`${part}: ${answer.status}`);
          }
        }""", people["edna"].id)
    _check(desk, route, people, shot)


@pytest.mark.parametrize("route, shot", OPEN_SCREENS)
def test_screen_before_signing_in_passes_axe_and_the_size_rules(stranger, people, route, shot):
    _check(stranger, route, people, shot)


REFLOW_ROUTES = ["home", "session/new", "goals", "checkin/1", "attention", "conflict/goals/{conflicted}"]
# 320px wide at the standard size; 200% zoom on a 1024px tablet (512px); the largest text size.
REFLOW_CASES = [(320, "normal"), (512, "normal"), (1024, "largest")]


@pytest.mark.parametrize("width, text", REFLOW_CASES)
@pytest.mark.parametrize("route", REFLOW_ROUTES)
def test_screen_reflows_without_sideways_scrolling(tablet, people, route, width, text):
    tablet.set_viewport_size({"width": width, "height": 640})
    try:
        _show(tablet, route, people)
        tablet.evaluate(f"document.documentElement.dataset.text = '{text}'")
        assert tablet.evaluate(OVERFLOWING) == []
    finally:
        tablet.evaluate("document.documentElement.dataset.text = 'normal'")
        tablet.set_viewport_size(TABLET)


@pytest.mark.parametrize("route", ["home", "session/new", "conflict/goals/{conflicted}"])
def test_high_contrast_mode_reaches_seven_to_one(tablet, people, route):
    _show(tablet, route, people)
    tablet.evaluate("document.documentElement.dataset.contrast = 'high'")
    try:
        if route == "home":
            screenshot(tablet, "20-high-contrast")
        found = _axe(tablet, {"runOnly": {"type": "rule", "values": ["color-contrast-enhanced"]}})
        assert [v["id"] for v in found] == []
    finally:
        tablet.evaluate("document.documentElement.dataset.contrast = 'normal'")


@pytest.mark.parametrize("words, pixels", [("Large", 24), ("Larger", 28), ("Largest", 32), ("Standard", 20)])
def test_the_text_size_setting_changes_the_size_of_body_text(tablet, people, words, pixels):
    _show(tablet, "settings", people)
    tablet.click(f"fieldset:has(legend:text-is('Text size')) label.choice:has(span:text-is('{words}'))")
    tablet.wait_for_function(f"() => getComputedStyle(document.body).fontSize === '{pixels}px'")
    tablet.click("fieldset:has(legend:text-is('Text size')) label.choice:has(span:text-is('Standard'))")
