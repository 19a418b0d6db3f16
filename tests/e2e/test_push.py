"""Reminders in the browser: a push delivered to the app's service worker through the DevTools
protocol shows a notification with general words, and a tap opens the right screen; the
reminders screen asks first, in plain words, and can switch everything off.

Headless Chromium has no push service, so ``pushManager.subscribe`` cannot work here. A push
goes in through CDP ``ServiceWorker.deliverPushMessage`` (the worker's real ``push`` handler
runs); the tap is a ``NotificationEvent('notificationclick')`` dispatched in the worker on the
notification that push showed, so the worker's real listener runs. Such an event is untrusted:
Chromium lets only a real tap focus or open a window, so ``focus()`` is refused (the handler
carries on) and, with no window open, ``clients.openWindow`` is replaced by a recorder.
"""
import json
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import Pairing, PushSubscription
from backend.push.reminders import payload

from ..push_service import PushService
from .steps import enrol, open_journal, wait_for_worker
from .test_screens import AXE_TAGS, MEASURE, _axe

pytestmark = pytest.mark.e2e

NOTIFICATIONS = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
  .map((n) => ({title: n.title, body: n.body, tag: n.tag, icon: n.icon,
                url: n.data && n.data.url}))"""

# Tap the notification with this tag, in the worker: its notificationclick listener runs.
TAP = """async (tag) => {
  const [notification] = await self.registration.getNotifications({ tag });
  self.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
}"""


@pytest.fixture
def tablet(live_server, new_context, make):
    """Edna's journal open on an enrolled tablet that may show notifications."""
    org = make.org()
    make.learner(org, name="Edna Whitworth")
    context = new_context()
    # Grants only what it lists; the app asks for nothing else that these tests need.
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    enrol(page, live_server, make.device(org).raw_key)
    open_journal(page, "Edna Whitworth")
    wait_for_worker(page)
    return page


# What tells one showing of a notification from another: a repeat of a tag replaces it anew.
STAMPS = """async () => (await (await navigator.serviceWorker.ready).getNotifications())
  .map((n) => `${n.tag} ${n.timestamp}`).sort()"""


def deliver(page, data, attempts=2):
    """Deliver a push to the page's service worker through the DevTools protocol, and wait
    until a notification is shown or replaced. Headless Chromium now and then drops a push it
    was handed (no notification, no error); it is sent once more then, so a worker that never
    shows one still fails the test."""
    before = page.evaluate(STAMPS)
    for _ in range(attempts):
        _deliver_once(page, data)
        for _ in range(50):
            if page.evaluate(STAMPS) != before:
                return
            page.wait_for_timeout(100)


def _deliver_once(page, data):
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    origin = page.url.split("/#")[0]
    for _ in range(50):
        live = [r for r in registrations if r["scopeURL"] == origin + "/" and not r["isDeleted"]]
        if live:
            break
        page.wait_for_timeout(100)  # events arrive while Playwright waits
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": origin, "registrationId": live[0]["registrationId"], "data": json.dumps(data)})
    cdp.detach()


def shown(page, count=1):
    """The notifications shown, once there are ``count`` of them."""
    for _ in range(100):
        notifications = page.evaluate(NOTIFICATIONS)
        if len(notifications) == count:
            return notifications
        page.wait_for_timeout(100)
    raise AssertionError(f"{len(notifications)} notifications shown, not {count}")


def worker(page):
    return page.context.service_workers[0]


def test_a_push_shows_a_notification_with_the_general_words_it_carries(tablet):
    deliver(tablet, payload("record"))
    [notification] = shown(tablet)
    origin = tablet.url.split("/#")[0]
    assert notification == {"title": "What Matters",
                            "body": "Would you like to note what you did today?",
                            "tag": "wm-record", "icon": origin + "/icons/icon-192.png",
                            "url": "/#/session/new"}


def test_a_second_reminder_of_a_kind_replaces_the_first(tablet):
    deliver(tablet, payload("record"))
    shown(tablet)
    deliver(tablet, payload("checkin"))
    deliver(tablet, payload("record"))
    tablet.wait_for_timeout(300)
    assert sorted(n["tag"] for n in shown(tablet, 2)) == ["wm-checkin", "wm-record"]


def test_a_push_naming_another_site_opens_only_our_app(tablet):
    deliver(tablet, {**payload("record"), "url": "https://elsewhere.example/phish"})
    assert shown(tablet)[0]["url"] == "/"


def test_tapping_the_notification_shows_its_screen_in_the_open_app(tablet):
    deliver(tablet, payload("record"))
    shown(tablet)
    worker(tablet).evaluate(TAP, "wm-record")
    tablet.wait_for_selector("input[name=activity]")
    # a one-off evaluation: a polled string predicate is eval'd in the page, which our CSP refuses
    assert tablet.evaluate("location.hash") == "#/session/new"
    assert shown(tablet, 0) == []  # the tap closed it


def test_tapping_it_with_no_window_open_opens_the_app_at_its_screen(tablet):
    deliver(tablet, payload("checkin"))
    shown(tablet)
    sw = worker(tablet)
    sw.evaluate("() => { self.clients.openWindow = async (url) => { self.opened = url; }; }")
    tablet.close()
    sw.evaluate(TAP, "wm-checkin")
    opened = None
    for _ in range(50):
        opened = sw.evaluate("() => self.opened || null")
        if opened:
            break
        time.sleep(0.1)
    assert opened and opened.endswith("/#/checkin/1")


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


# A browser push subscription as Chromium would make it, but pointing at the loopback service.
FAKE_SUBSCRIBE = """(sub) => {
  const made = { endpoint: sub.endpoint, options: { applicationServerKey: null },
    toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
    unsubscribe: async () => true };
  let current = null;
  PushManager.prototype.getSubscription = async () => current;
  PushManager.prototype.subscribe = async (options) => {
    made.options = options;
    current = made;
    return made;
  };
}"""


def test_the_reminders_screen_asks_first_and_can_switch_them_all_off(tablet, app, push_service):
    tablet.evaluate(FAKE_SUBSCRIBE, push_service.subscribe())
    tablet.goto(tablet.url.split("#")[0] + "#/reminders")
    tablet.wait_for_selector("text=We will never show what you wrote.")
    tablet.click("label.choice:has-text('Saturday')")  # not on Saturdays
    tablet.click("button:has-text('Yes, remind me')")
    tablet.wait_for_selector("text=Reminders are on.")
    with app.app_context():
        sub = db.session.scalar(select(PushSubscription))
        assert sub.days == ["mon", "tue", "wed", "thu", "fri", "sun"] and sub.enabled
    tablet.click("button:has-text('Switch all reminders off')")
    tablet.wait_for_selector("text=All reminders are off.")
    with app.app_context():
        assert db.session.scalar(select(PushSubscription.enabled)) is False


def test_the_reminders_screen_passes_axe_and_the_size_rules(tablet):
    tablet.goto(tablet.url.split("#")[0] + "#/reminders")
    tablet.wait_for_selector("text=We will never show what you wrote.")
    found = _axe(tablet, {"runOnly": {"type": "tag", "values": AXE_TAGS},
                          "resultTypes": ["violations"]})
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found] == []
    sizes = tablet.evaluate(MEASURE)
    assert sizes["small"] == [] and sizes["targets"] == [] and sizes["overflow"] <= 0


def test_a_mentor_plans_the_next_visit_on_the_reminders_screen(live_server, new_context, make,
                                                               app):
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth")
    mentor = make.mentor(org, name="David Marsh", password="a long mentor password")
    make.pairing(mentor, edna)
    context = new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    phone = context.new_page()
    phone.goto(live_server.url + "/#/sign-in")
    phone.fill("input[name=email]", mentor.email)
    phone.fill("input[name=password]", "a long mentor password")
    phone.click("button:has-text('Sign in')")
    phone.wait_for_selector("h1:has-text('My learners')")
    phone.goto(live_server.url + "/#/reminders")
    day = (date.today() + timedelta(days=30)).isoformat()
    # the picker offers the days the server takes: from today to a year ahead
    assert phone.get_attribute("input[type=date]", "min") == date.today().isoformat()
    latest = date.fromisoformat(phone.get_attribute("input[type=date]", "max"))
    assert 365 <= (latest - date.today()).days <= 366
    phone.fill("input[type=date]", day)
    phone.click("button:has-text('Save the visits')")
    phone.wait_for_selector("text=Saved.")
    with app.app_context():
        assert db.session.scalar(select(Pairing.next_visit_on)).isoformat() == day
    found = _axe(phone, {"runOnly": {"type": "tag", "values": AXE_TAGS},
                         "resultTypes": ["violations"]})
    assert [v["id"] for v in found] == []
    assert phone.evaluate(MEASURE)["targets"] == []
