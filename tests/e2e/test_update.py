"""A changed file in pwa/ reaches an installed app once the person agrees, and only that file is
fetched again: the shell is cached under each file's content hash."""
import pytest

from .steps import wait_for_worker

pytestmark = pytest.mark.e2e

OLD, NEW = "Welcome to What Matters", "Welcome to What Matters, version two"


@pytest.fixture
def installed(app, pwa_copy, live_server, new_context):
    app.config["PWA_DIR"] = str(pwa_copy)
    page = new_context().new_page()
    page.goto(live_server.url + "/")
    wait_for_worker(page)
    page.wait_for_selector(f"h1:text-is('{OLD}')")
    return page


def _deploy_change(pwa_copy, page):
    view = pwa_copy / "views" / "start.js"
    view.write_text(view.read_text().replace(f"'{OLD}'", f"'{NEW}'"))
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    page.wait_for_selector("text=A new version is ready. Update now?")


def test_a_new_version_waits_for_the_person_to_agree(installed, pwa_copy):
    _deploy_change(pwa_copy, installed)
    installed.reload()
    assert installed.locator("h1").inner_text() == OLD
    assert installed.is_visible("text=A new version is ready. Update now?")


def test_after_agreeing_the_changed_file_is_shown(installed, pwa_copy):
    _deploy_change(pwa_copy, installed)
    installed.click("button:has-text('Update now')")
    installed.wait_for_selector(f"h1:text-is('{NEW}')")


def test_only_the_changed_file_is_fetched_again(installed, pwa_copy, live_server):
    before = len(live_server.requests)
    _deploy_change(pwa_copy, installed)
    fetched = [p for p in live_server.requests[before:] if "?h=" in p]
    assert [p.split("?")[0] for p in fetched] == ["/views/start.js"]


def test_the_api_is_never_answered_from_the_cache(installed, live_server):
    answer = installed.evaluate("""async () => {
      const r = await fetch('/api/health', {cache: 'no-store'});
      return {status: r.status, body: await r.json()};
    }""")
    assert answer["status"] == 200
    live_server.stop()
    with pytest.raises(Exception):
        installed.evaluate("fetch('/api/health').then((r) => r.status)")
