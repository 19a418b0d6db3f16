"""Sending: a real encrypted push to the loopback push service, what its answers do (404/410
remove the subscription, 500 is retried with backoff), and the timeout."""
import logging
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select, update

from backend.extensions import db
from backend.models import PushSubscription, SentReminder, StaffNotice
from backend.models.types import utcnow
from backend.push import sender, vapid
from backend.push.delivery import MAX_ATTEMPTS
from backend.push.jobs import send_due_reminders

from ..push_service import PushService

SECRET_WORD = "Zanzibar"

@pytest.fixture
def push_service():
    with PushService() as service:
        yield service



@pytest.fixture
def ada(make):
    """A learner whose journal is full of one distinctive word."""
    org = make.org()
    ada = make.learner(org, name="Ada Quartermaine")
    make.session(ada, activity=f"Read about {SECRET_WORD}", note=f"{SECRET_WORD} again")
    make.goal(ada, title=f"Visit {SECRET_WORD}")
    make.record("reflections", ada, text=f"I dream of {SECRET_WORD}")
    make.record("checkins", ada)
    ada.tablet = make.device(org)
    return ada


def subscribe(client, auth, person, service, device=None, **reminders):
    body = {**service.subscribe(), "reminders": reminders or {"kinds": ["record"]}}
    resp = client.post("/api/push/subscriptions", json=body,
                       headers=auth.headers(person, device))
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


def due(app, sub_id, now):
    """Make the subscription's chosen moment a minute ago."""
    with app.app_context():
        db.session.execute(update(PushSubscription).where(PushSubscription.id == sub_id)
                           .values(next_due_at=now - timedelta(minutes=1)))
        db.session.commit()


def send(app, now):
    with app.app_context():
        return send_due_reminders(now)


def rows(app):
    with app.app_context():
        return db.session.execute(select(SentReminder.status, SentReminder.attempts,
                                         SentReminder.retry_at)).all()


def test_a_real_encrypted_push_carries_general_words_and_no_journal_content(
        app, client, auth, ada, push_service):
    sub_id = subscribe(client, auth, ada, push_service, ada.tablet)
    now = utcnow()
    due(app, sub_id, now)
    assert send(app, now) == {"sent": 1}
    [push] = push_service.received
    assert push.payload == {"title": "What Matters",
                            "body": "Would you like to note what you did today?",
                            "url": "/#/session/new", "tag": "wm-record"}
    words = repr(push.payload) + repr(push.headers)
    assert SECRET_WORD not in words and "Ada" not in words and "Quartermaine" not in words


def test_the_push_is_signed_with_our_vapid_key_and_contact(app, client, auth, ada, push_service):
    app.config["VAPID_CONTACT"] = "mailto:reminders@whatmatters.example"
    sub_id = subscribe(client, auth, ada, push_service)
    now = utcnow()
    due(app, sub_id, now)
    send(app, now)
    [push] = push_service.received
    with app.app_context():
        assert push.claims["k"] == vapid.public_key()
    assert push.claims["sub"] == "mailto:reminders@whatmatters.example"
    assert push.claims["aud"] == push_service.origin
    assert push.headers["topic"] == "record" and int(push.headers["ttl"]) > 0
    assert push_service.refused == []


@pytest.mark.parametrize("code", [404, 410])
def test_a_subscription_the_push_service_says_is_gone_is_removed(app, client, auth, ada,
                                                                 push_service, code):
    sub_id = subscribe(client, auth, ada, push_service)
    push_service.answer(code)
    now = utcnow()
    due(app, sub_id, now)
    assert send(app, now) == {"gone": 1}
    with app.app_context():
        assert db.session.get(PushSubscription, sub_id) is None


def test_a_failed_send_is_retried_with_a_doubling_wait_and_logged(app, client, auth, ada,
                                                                  push_service, caplog):
    sub_id = subscribe(client, auth, ada, push_service)
    push_service.answer(500, 500, 201)
    now = utcnow()
    due(app, sub_id, now)
    with caplog.at_level(logging.WARNING, logger="backend.push.delivery"):
        assert send(app, now) == {"retry": 1}
    assert "failed (500" in caplog.text and "try 2 of 5 in 60 s" in caplog.text
    assert rows(app) == [("retry", 1, now + timedelta(minutes=1))]
    assert send(app, now + timedelta(seconds=59)) == {}  # still waiting
    assert send(app, now + timedelta(minutes=1)) == {"retry": 1}
    assert rows(app) == [("retry", 2, now + timedelta(minutes=3))]  # waited 2 minutes
    assert send(app, now + timedelta(minutes=3)) == {"sent": 1}
    assert [p.answered for p in push_service.received] == [500, 500, 201]
    assert rows(app)[0][:2] == ("sent", 3)


def test_a_send_that_keeps_failing_is_given_up_and_logged(app, client, auth, ada, push_service,
                                                          caplog):
    sub_id = subscribe(client, auth, ada, push_service)
    push_service.answer(*[503] * MAX_ATTEMPTS)
    now = utcnow()
    due(app, sub_id, now)
    for minutes in (0, 1, 3, 7, 15):
        send(app, now + timedelta(minutes=minutes))
    assert len(push_service.received) == MAX_ATTEMPTS
    assert rows(app)[0][:2] == ("failed", MAX_ATTEMPTS)
    assert "given up" in caplog.text
    assert send(app, now + timedelta(hours=2)) == {}


def test_a_push_service_that_does_not_answer_in_time_is_retried(app, client, auth, ada,
                                                                push_service):
    app.config["PUSH_TIMEOUT"] = 0.2
    push_service.delay = 2
    sub_id = subscribe(client, auth, ada, push_service)
    now = utcnow()
    due(app, sub_id, now)
    assert send(app, now) == {"retry": 1}
    with app.app_context():
        assert db.session.scalar(select(SentReminder.last_error)).startswith("ReadTimeout")


def test_every_send_is_given_the_configured_timeout(app, client, auth, ada, push_service,
                                                    monkeypatch):
    seen = []
    real_post = requests.Session.post
    def post(self, url, **kw):
        seen.append(kw["timeout"])
        return real_post(self, url, **kw)

    monkeypatch.setattr(requests.Session, "post", post)
    app.config["PUSH_TIMEOUT"] = 7.5
    sub_id = subscribe(client, auth, ada, push_service)
    now = utcnow()
    due(app, sub_id, now)
    send(app, now)
    assert seen == [7.5]


def test_a_review_notice_sent_to_staff_is_marked_sent(app, client, auth, make, push_service):
    org = make.org()
    sam = make.staff(org)
    with app.app_context():
        db.session.add(StaffNotice(organisation_id=org.id, kind="review_ready", key="2026-10",
                                   detail={"month": "2026-10"}))
        db.session.commit()
    sub_id = subscribe(client, auth, sam, push_service, kinds=["review"])
    now = utcnow()
    due(app, sub_id, now)
    assert send(app, now) == {"sent": 1}
    assert push_service.received[0].payload["body"] == "The monthly review is ready to read."
    with app.app_context():
        assert db.session.scalar(select(StaffNotice.sent_at)) == now


def test_the_sender_reads_retry_after_in_seconds_or_as_a_date():
    assert sender._seconds("120") == 120
    assert sender._seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert sender._seconds("soon") is None


def test_a_retry_is_dropped_when_the_person_switched_reminders_off_meanwhile(
        app, client, auth, ada, push_service):
    sub_id = subscribe(client, auth, ada, push_service)
    push_service.answer(500)
    now = utcnow()
    due(app, sub_id, now)
    send(app, now)
    client.patch(f"/api/push/subscriptions/{sub_id}", json={"enabled": False},
                 headers=auth.headers(ada))
    assert send(app, now + timedelta(minutes=1)) == {"failed": 1}
    assert len(push_service.received) == 1


def test_a_push_service_inside_our_network_is_not_sent_to(app, client, auth, ada, push_service,
                                                          caplog):
    """The tests' push service is on 127.0.0.1, which only TESTING or PUSH_ALLOW_LOOPBACK lets
    through: without them the send is refused before any request leaves (an endpoint whose
    name came to resolve inside a network would be refused the same way)."""
    sub_id = subscribe(client, auth, ada, push_service)
    app.config.update(TESTING=False, PUSH_ALLOW_LOOPBACK=False)
    now = utcnow()
    due(app, sub_id, now)
    with caplog.at_level(logging.ERROR, logger="backend.push.delivery"):
        assert send(app, now) == {"failed": 1}
    assert push_service.received == []
    assert "is at 127.0.0.1, an address inside a network" in caplog.text
    with app.app_context():
        assert db.session.get(PushSubscription, sub_id) is not None  # kept: nothing answered
