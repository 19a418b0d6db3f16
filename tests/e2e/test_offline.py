"""After one online visit the app opens with no network at all, even after the browser is
restarted, and a learner records a session; back online, it reaches the server."""
import uuid

import pytest

from .steps import api_get, enrol, open_journal, record_session, wait_all_sent, wait_for_worker

pytestmark = pytest.mark.e2e


def test_a_session_recorded_offline_after_a_restart_reaches_the_server(
        live_server, persistent, make, auth, client):
    org = make.org()
    learner = make.learner(org, name="Edna Whitworth", pin="2468")
    device = make.device(org)

    first = persistent()
    page = first.new_page()
    enrol(page, live_server, device.raw_key)
    open_journal(page, "Edna Whitworth", "2468")
    wait_all_sent(page)
    wait_for_worker(page)
    first.close()

    live_server.stop()  # no network at all: the server is gone and the browser is offline
    again = persistent()
    again.set_offline(True)
    page = again.new_page()
    page.goto(live_server.url + "/")
    open_journal(page, "Edna Whitworth", "2468")
    record_session(page, "Knitted the blanket border")
    # the trust line settles once the write's sync attempt has found no network
    page.wait_for_selector("text=Saved on this tablet. Will send when online.")

    live_server.start()
    again.set_offline(False)
    wait_all_sent(page)
    sessions = api_get(client, f"/api/learners/{learner.id}/sessions", auth.headers(learner))
    assert [s["activity"] for s in sessions["items"]] == ["Knitted the blanket border"]
    # made on the tablet as a UUID of version 7, its time first (pwa/store/crypto.js)
    assert uuid.UUID(sessions["items"][0]["id"]).version == 7


def test_when_the_server_cannot_be_reached_the_tablet_says_so_and_tries_again_by_itself(
        live_server, new_context, make, auth, client):
    """Online, but the push meets a busy proxy (503): the trust line says the server could not
    be reached, not that there is no internet, and the tablet tries again by itself within
    seconds, with no new write and no network event, and the words reach the server."""
    org = make.org()
    learner = make.learner(org, name="Edna Whitworth", pin="2468")
    page = new_context().new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth", "2468")
    wait_all_sent(page)
    refused = []

    def busy_once(route):
        if refused:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.fulfill(status=503, content_type="text/html", body="Service Unavailable")

    page.route("**/api/sync/push", busy_once)
    record_session(page, "Knitted the blanket border")
    page.wait_for_selector("text=The server could not be reached just now. Trying again soon.")
    assert page.locator("text=Will send when online").count() == 0

    wait_all_sent(page, timeout=15000)
    assert len(refused) == 1
    sessions = api_get(client, f"/api/learners/{learner.id}/sessions", auth.headers(learner))
    assert [s["activity"] for s in sessions["items"]] == ["Knitted the blanket border"]
