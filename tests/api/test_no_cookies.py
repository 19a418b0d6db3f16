"""The app keeps nothing in cookies: every request carries a bearer token or a tablet's key."""
import uuid

import pytest
from flask import session

from backend.no_cookies import NoSession


def test_signing_in_and_syncing_set_no_cookie_even_when_one_is_sent(client, make):
    staff = make.staff(make.org(), password="correct horse battery")
    client.set_cookie("session", "eyJ4IjoxfQ.forged.signature")
    login = client.post("/api/auth/login", json={"email": staff.email,
                                                  "password": "correct horse battery"})
    assert login.status_code == 200
    bearer = {"Authorization": f"Bearer {login.json['token']}"}
    answers = [login, client.get("/api/auth/me", headers=bearer), client.get("/"),
               client.post("/api/sync/pull", headers=bearer,
                           json={"protocol": 3, "replica": str(uuid.uuid4()), "cursor": None})]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert [a.headers.getlist("Set-Cookie") for a in answers] == [[], [], [], []]


def test_a_cookie_session_can_be_read_empty_but_never_written(app):
    with app.test_request_context("/", headers={"Cookie": "session=eyJ4IjoxfQ.x.y"}):
        assert isinstance(session._get_current_object(), NoSession)
        assert dict(session) == {}
        with pytest.raises(RuntimeError, match="nothing in cookies"):
            session["person_id"] = 1
