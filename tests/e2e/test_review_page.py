"""The review page in headless Chromium, on the demo's six weeks: staff sign in, read it, and
nothing on it breaks WCAG 2.x A/AA (axe), text is 20px or more, targets 48px; it prints as a
clean A4 report; CSV downloads work; the named list and the journals opened from it are
audited. Screenshots go to docs/screenshots/review-*.png."""
import csv
import io
import re

import pytest
from datetime import timedelta

from sqlalchemy import func, select, update

from backend import demo
from backend.extensions import db
from backend.models import COLLECTIONS, AuditEntry, Goal, Person
from backend.models.types import utcnow

from .conftest import TABLET
from .steps import screenshot
from .test_screens import AXE_TAGS, MEASURE

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1440, "height": 900}
A4_WIDTH = {"width": 690, "height": 980}  # A4 less the margins, at 96 CSS pixels an inch
PASSWORD = "whatmatters-demo"


@pytest.fixture(scope="module")
def demo_data(module_app, tmp_path_factory):
    """The demo, with one of Elmfield's residents who shares with the care team gone quiet:
    everything they wrote reached the server three weeks ago."""
    module_app.instance_path = str(tmp_path_factory.mktemp("instance"))
    with module_app.app_context():
        demo.load()
        staff = db.session.scalars(select(Person).where(Person.role == "staff")
                                   .order_by(Person.id)).first()
        sharing = select(Goal.learner_id).where(Goal.visibility == "care_team")
        quiet = db.session.scalars(select(Person).where(
            Person.organisation_id == staff.organisation_id, Person.role == "learner",
            Person.opted_out.is_(False), Person.id.in_(sharing)).order_by(Person.id)).first()
        weeks_ago = utcnow() - timedelta(days=21)
        for model in COLLECTIONS.values():
            db.session.execute(update(model).where(model.learner_id == quiet.id)
                               .values(created_at=weeks_ago))
        db.session.commit()
        return {"email": staff.email, "quiet": quiet.display_name}


@pytest.fixture(scope="module")
def review(browser, module_server, demo_data):
    """A staff member's browser with the review of the demo's last six weeks open."""
    context = browser.new_context(viewport=TABLET, accept_downloads=True)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.goto(f"{module_server.url}/review/index.html")
    page.fill("input[name=email]", demo_data["email"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("h1:has-text('The regular review:')")
    page.click("label.choice:has-text('The last six weeks')")
    page.click("button:has-text('Show the review')")
    page.wait_for_selector(".report-head .scope")
    page.wait_for_selector("svg.chart")
    yield page
    context.close()


def test_the_review_page_passes_axe_at_wcag_2_a_and_aa(review):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(review, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3])
                  for v in results.response["violations"]]
    assert violations == []


def test_the_review_page_text_is_20px_and_targets_48px(review):
    sizes = review.evaluate(MEASURE)
    assert sizes["small"] == []
    assert sizes["targets"] == []


def test_every_chart_has_a_title_a_description_and_a_table_or_words_beside_it(review):
    charts = review.evaluate("""() => [...document.querySelectorAll('svg.chart')].map((svg) => ({
      name: svg.getAttribute('role') === 'img' && svg.querySelector('title').textContent,
      desc: svg.querySelector('desc').textContent,
      table: !!svg.closest('figure').querySelector('table')
        || !!svg.closest('section').querySelector('table'),
    }))""")
    assert len(charts) >= 7
    assert all(c["name"] and c["desc"] and c["table"] for c in charts)


def test_the_page_runs_without_errors_or_content_security_policy_refusals(review):
    assert review.problems == []


def test_the_page_loads_nothing_from_another_origin(review, module_server):
    origins = review.evaluate(
        "() => performance.getEntriesByType('resource').map((e) => new URL(e.name).origin)")
    assert set(origins) <= {module_server.url}


@pytest.mark.parametrize("size, name", [(TABLET, "review-tablet"), (DESKTOP, "review-desktop")])
def test_screenshots_of_the_review(review, size, name):
    review.set_viewport_size(size)
    review.wait_for_timeout(300)  # the charts redraw at the new width
    review.evaluate("document.querySelector('.report-head').scrollIntoView()")
    screenshot(review, name)
    review.screenshot(path=str(_shots() / f"{name}-full.png"), full_page=True)
    review.set_viewport_size(TABLET)


def _shots():
    from .steps import SCREENSHOTS

    return SCREENSHOTS


def test_printed_report_has_no_buttons_and_a_page_per_section(review):
    review.emulate_media(media="print")
    review.set_viewport_size(A4_WIDTH)
    try:
        shown = review.evaluate("""() => [...document.querySelectorAll('button, nav, form, .named')]
          .filter((el) => getComputedStyle(el).display !== 'none').length""")
        breaks = review.evaluate("""() => [...document.querySelectorAll('.review-section')]
          .map((el) => getComputedStyle(el).breakBefore)""")
        inks = review.evaluate("""() => [...document.querySelectorAll('svg.chart .bar:not([fill])')]
          .map((el) => getComputedStyle(el).fill)""")
        review.screenshot(path=str(_shots() / "review-print.png"), full_page=True)
    finally:
        review.emulate_media(media="screen")
        review.set_viewport_size(TABLET)
    assert shown == 0
    assert breaks[0] != "page" and set(breaks[1:]) == {"page"}
    assert set(inks) == {"rgb(0, 0, 0)"}


def test_printed_report_is_a4_pages(review):
    pdf = review.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}  # A4, in points
    assert len(boxes) >= 5  # a page for each of the five sections, at least


def test_a_table_downloads_as_csv(review):
    with review.expect_download() as info:
        review.click("[aria-labelledby=objective] button:has-text('Download this table')")
    with open(info.value.path(), encoding="utf-8") as handle:
        text = handle.read()
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["Good for", "Sessions", "Share of all sessions"]
    assert info.value.suggested_filename.endswith(".csv")


def test_opening_a_quiet_learners_journal_is_audited(review, module_app, demo_data):
    with module_app.app_context():  # the demo's own entries (a read of one learner's goals)
        before = db.session.scalar(select(func.max(AuditEntry.id)))
    review.click("button:has-text('Show who has gone quiet')")
    name = demo_data["quiet"]
    review.wait_for_selector(f".quiet-names .card:has-text('{name}')")
    review.click(f".quiet-names button:has-text('Open what {name} shares')")
    review.wait_for_selector(f".journal-panel h3:has-text('What {name} shares')")
    with module_app.app_context():
        quiet_id = db.session.scalar(select(Person.id).where(Person.display_name == name))
        rows = db.session.execute(select(AuditEntry.action, AuditEntry.detail).where(
            AuditEntry.learner_id == quiet_id, AuditEntry.id > before)).all()
    assert ("review_named_quiet", {}) in rows
    assert sorted(d["collection"] for a, d in rows if a == "read_journal") == sorted(COLLECTIONS)


def test_a_quiet_learners_long_list_says_it_shows_the_newest_and_shows_all_on_asking(
        review, demo_data):
    """Staff must not take the first few entries for all that is shared."""
    name = demo_data["quiet"]
    if not review.is_visible(f".journal-panel h3:has-text('What {name} shares')"):
        review.click("button:has-text('Show who has gone quiet')")
        review.click(f".quiet-names button:has-text('Open what {name} shares')")
        review.wait_for_selector(f".journal-panel h3:has-text('What {name} shares')")
    assert "[object" not in review.inner_text(".journal-panel")
    more = review.locator(".journal-panel p.meta:has-text('The newest 5 of')").first
    total = int(more.inner_text().split(" of ")[1].split(".")[0])
    items = more.locator("xpath=preceding-sibling::ul[1]/li")
    assert total > 5 and items.count() == 5
    first = items.first.inner_text()
    more.locator("button", has_text=f"Show all {total}").click()
    said = review.locator(f".journal-panel p.meta:text-is('All {total}, the newest first.')")
    items = said.locator("xpath=preceding-sibling::ul[1]/li")
    assert items.count() == total and items.first.inner_text() == first
