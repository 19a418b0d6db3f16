"""A tablet that is not (or no longer) enrolled says so in its 401s: ``unauthorized`` still,
with ``details`` ``{"tablet_not_enrolled": true}``, so the app can ask for a member of staff
rather than tell a learner her right PIN is wrong; and her wrong-PIN count never moves."""
import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import Person

NOT_ENROLLED = {"tablet_not_enrolled": True}


@pytest.fixture
def home(make):
    org = make.org()
    return {"org": org, "admin": make.staff(org, is_admin=True),
            "peggy": make.learner(org, name="Peggy Lomax", pin="1470"),
            "harold": make.learner(org, name="Harold Pennington")}


def _revoke(client, auth, home, tablet):
    """Revoked as staff do it: the tablet, and every sign-in made on it."""
    resp = client.post(f"/api/devices/{tablet.id}/revoke", headers=auth.headers(home["admin"]))
    assert resp.status_code == 200


def _failed_pins(app, person):
    with app.app_context():
        return db.session.scalar(select(Person.failed_attempts).where(Person.id == person.id))


def _sync_answers(client, headers):
    body = {"protocol": 3, "replica": "4b1c6d0e-3a57-4d8e-9f5a-0c0ffee00001", "cursor": None}
    return [client.get("/api/auth/me", headers=headers),
            client.post("/api/sync/pull", headers=headers, json=body),
            client.post("/api/sync/push", headers=headers,
                        json={**body, "floor": 1, "mutations": []})]


@pytest.mark.parametrize("pin", ["1470", "0000"])
def test_a_pin_on_a_revoked_tablet_is_not_checked_and_the_answer_says_why(
        app, client, auth, make, home, pin):
    tablet = make.device(home["org"])
    _revoke(client, auth, home, tablet)

    resp = client.post("/api/auth/pin", json={"device_key": tablet.raw_key,
                                              "person_id": home["peggy"].id, "pin": pin})

    assert resp.status_code == 401
    assert (resp.json["error"], resp.json["details"]) == ("unauthorized", NOT_ENROLLED)
    assert resp.json["message"] == "This tablet is not enrolled. Please ask staff to enrol it."
    assert _failed_pins(app, home["peggy"]) == 0


@pytest.mark.parametrize("key", ["revoked", "unknown"])
def test_the_tiles_of_a_tablet_that_is_not_enrolled_say_why(client, auth, make, home, key):
    tablet = make.device(home["org"])
    _revoke(client, auth, home, tablet)
    raw = {"revoked": tablet.raw_key, "unknown": "dev_" + "x" * 40}[key]

    resp = client.post("/api/auth/tiles", json={"device_key": raw})

    assert resp.status_code == 401
    assert (resp.json["error"], resp.json["details"]) == ("unauthorized", NOT_ENROLLED)


@pytest.mark.parametrize("who", ["peggy", "harold"])
def test_a_sign_in_made_on_a_revoked_tablet_is_refused_saying_the_tablet_is_why(
        client, auth, make, home, who):
    """Revoking ends the tablet's sign-ins too; the answer names the tablet, not the sign-in,
    since signing in again on it cannot help."""
    tablet = make.device(home["org"])
    headers = auth.headers(home[who], device=tablet)
    _revoke(client, auth, home, tablet)

    for resp in _sync_answers(client, headers):
        assert resp.status_code == 401, resp.get_data(as_text=True)
        assert (resp.json["error"], resp.json["message"], resp.json["details"]) == (
            "unauthorized", "This tablet is no longer enrolled.", NOT_ENROLLED)


def test_an_expired_sign_in_of_a_revoked_tablet_still_names_the_tablet(app, client, auth, make,
                                                                      home):
    from datetime import timedelta

    from backend.models import Token
    from backend.models.types import utcnow

    tablet = make.device(home["org"])
    headers = auth.headers(home["peggy"], device=tablet)
    _revoke(client, auth, home, tablet)
    with app.app_context():
        db.session.execute(db.update(Token).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()

    for resp in _sync_answers(client, headers):
        assert (resp.status_code, resp.json["details"]) == (401, NOT_ENROLLED)


def test_other_refused_sign_ins_say_nothing_of_a_tablet(client, auth, make, home):
    tablet, other = make.device(home["org"]), make.device(home["org"])
    ended = auth.headers(home["peggy"], device=tablet)
    client.post("/api/auth/logout", headers=ended)
    answers = _sync_answers(client, ended) + _sync_answers(
        client, {"Authorization": "Bearer wm_nobody-has-this-one"})
    wrong = client.post("/api/auth/pin", json={"device_key": other.raw_key,
                                               "person_id": home["peggy"].id, "pin": "0000"})

    for resp in answers:
        assert (resp.status_code, resp.json["error"], resp.json["details"]) == (
            401, "unauthorized", {})
    assert (wrong.status_code, wrong.json["error"], wrong.json["details"]) == (
        401, "invalid_credentials", {})
