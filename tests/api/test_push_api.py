"""The reminders API: the VAPID key, a person's subscriptions and choices, planned visits."""
import json
import os
import stat
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from backend import create_app
from backend.extensions import db
from backend.models import Pairing, PushSubscription

from ..push_service import Subscriber, unb64url

UK = ZoneInfo("Europe/London")


def browser_subscription(n=1):
    return {"endpoint": f"https://push.example.net/wpush/v2/device-{n}",
            "keys": Subscriber().keys}


@pytest.fixture
def home(make):
    org = make.org()
    return {"org": org, "tablet": make.device(org), "ada": make.learner(org, name="Ada"),
            "bea": make.learner(org, name="Bea"), "mo": make.mentor(org),
            "sam": make.staff(org, is_admin=True)}


def subscribe(client, headers, body=None, **reminders):
    body = body or browser_subscription()
    if reminders:
        body = {**body, "reminders": reminders}
    return client.post("/api/push/subscriptions", json=body, headers=headers)


def count_subscriptions(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PushSubscription))


def test_the_public_key_is_an_uncompressed_p256_point_kept_in_a_private_file(app, client,
                                                                              tmp_path):
    app.config["VAPID_FILE"] = str(tmp_path / "vapid.json")
    first = client.get("/api/push/key").json["public_key"]
    assert len(unb64url(first)) == 65 and unb64url(first)[0] == 4
    assert client.get("/api/push/key").json["public_key"] == first
    assert stat.S_IMODE(os.stat(tmp_path / "vapid.json").st_mode) == 0o600


def test_the_key_pair_is_made_on_first_start(database_url, tmp_path):
    create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                "VAPID_FILE": str(tmp_path / "vapid.json")})
    assert stat.S_IMODE(os.stat(tmp_path / "vapid.json").st_mode) == 0o600


def test_send_due_says_when_nothing_is_due(runner):
    assert runner.invoke(args=["push", "send-due"]).output == "Nothing due.\n"


def test_init_keys_makes_the_pair_once(app, runner, tmp_path):
    app.config["VAPID_FILE"] = str(tmp_path / "instance" / "vapid.json")
    made = runner.invoke(args=["push", "init-keys"])
    kept = runner.invoke(args=["push", "init-keys"])
    assert "Made a new VAPID key pair" in made.output and "Kept the existing" in kept.output
    public = json.loads((tmp_path / "instance" / "vapid.json").read_text())["public_key"]
    assert f"Public key: {public}" in kept.output


def test_a_configured_private_key_is_used_instead_of_the_file(app, client, tmp_path):
    app.config["VAPID_FILE"] = str(tmp_path / "vapid.json")
    other = client.get("/api/push/key").json["public_key"]
    stored = json.loads((tmp_path / "vapid.json").read_text())
    app.config["VAPID_PRIVATE_KEY"] = stored["private_key"]
    (tmp_path / "vapid.json").unlink()
    assert client.get("/api/push/key").json["public_key"] == other
    assert not (tmp_path / "vapid.json").exists()


def test_a_learner_on_a_tablet_subscribes_with_every_reminder_of_their_role_on(client, auth,
                                                                              home):
    resp = subscribe(client, auth.headers(home["ada"], home["tablet"]))
    assert resp.status_code == 201, resp.json
    assert resp.json["device_id"] == home["tablet"].id
    assert resp.json["reminders"] == {
        "enabled": True, "kinds": ["record", "checkin"],
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "time": "18:00",
        "timezone": "Europe/London"}
    next_at = datetime.fromisoformat(resp.json["next_at"]).astimezone(UK)
    assert (next_at.hour, next_at.minute) == (18, 0)
    assert timedelta(0) < next_at - datetime.now(UK) <= timedelta(days=1)


def test_choices_given_with_the_subscription_are_kept(client, auth, home):
    resp = subscribe(client, auth.headers(home["ada"]), kinds=["record"], days=["sat", "mon"],
                     time="09:15", timezone="America/New_York")
    assert resp.json["reminders"] == {"enabled": True, "kinds": ["record"],
                                      "days": ["mon", "sat"], "time": "09:15",
                                      "timezone": "America/New_York"}
    new_york = ZoneInfo("America/New_York")
    next_at = datetime.fromisoformat(resp.json["next_at"]).astimezone(new_york)
    assert (next_at.strftime("%a"), next_at.hour, next_at.minute) in {("Mon", 9, 15),
                                                                      ("Sat", 9, 15)}


@pytest.mark.parametrize("role, kinds", [
    ("mo", ["visit"]), ("sam", ["review", "devices", "waiting"])])
def test_mentors_and_staff_have_their_own_kinds(client, auth, home, role, kinds):
    assert client.get("/api/push/subscriptions", headers=auth.headers(home[role])).json == {
        "kinds": kinds, "items": []}
    assert subscribe(client, auth.headers(home[role])).json["reminders"]["kinds"] == kinds


def test_a_kind_of_another_role_is_refused_naming_the_field(client, auth, home):
    resp = subscribe(client, auth.headers(home["ada"]), kinds=["record", "review"])
    assert resp.status_code == 400
    assert resp.json["details"]["fields"] == {
        "reminders.kinds": ["review is not a reminder for a learner"]}


def test_subscribing_the_same_browser_again_updates_it(app, client, auth, home):
    body = browser_subscription()
    headers = auth.headers(home["ada"], home["tablet"])
    first = subscribe(client, headers, body).json
    again = subscribe(client, headers, {**body, "keys": Subscriber().keys}, time="10:00").json
    assert again["id"] == first["id"] and again["reminders"]["time"] == "10:00"
    assert count_subscriptions(app) == 1


def test_two_people_on_one_tablet_each_have_their_own_subscription(client, auth, home):
    body = browser_subscription()
    ada = auth.headers(home["ada"], home["tablet"])
    bea = auth.headers(home["bea"], home["tablet"])
    ada_id = subscribe(client, ada, body).json["id"]
    bea_id = subscribe(client, bea, body, kinds=["checkin"]).json["id"]
    for headers, sub_id in ((ada, ada_id), (bea, bea_id)):
        items = client.get("/api/push/subscriptions", headers=headers).json["items"]
        assert [s["id"] for s in items] == [sub_id]


@pytest.mark.parametrize("change, field", [
    ({"endpoint": "http://push.example.net/x"}, "endpoint"),
    ({"endpoint": "https://"}, "endpoint"),
    ({"endpoint": "not a url"}, "endpoint"),
    ({"endpoint": "https://push.example.net/" + "x" * 1100}, "endpoint"),
    ({"keys": {"p256dh": "AAAA", "auth": "c2l4dGVlbiBieXRlcyEhIQ"}}, "keys.p256dh"),
    ({"keys": {"p256dh": Subscriber().keys["p256dh"], "auth": "c2hvcnQ"}}, "keys.auth"),
    ({"keys": {"p256dh": Subscriber().keys["p256dh"]}}, "keys.auth"),
    ({"reminders": {"time": "25:00"}}, "reminders.time"),
    ({"reminders": {"time": "6pm"}}, "reminders.time"),
    ({"reminders": {"timezone": "Mars/Olympus_Mons"}}, "reminders.timezone"),
    ({"reminders": {"timezone": "../../etc/passwd"}}, "reminders.timezone"),
    ({"reminders": {"days": ["funday"]}}, "reminders.days.0"),
    ({"reminders": {"kinds": ["gossip"]}}, "reminders.kinds.0"),
    ({"reminders": {"enabled": "yes"}}, "reminders.enabled"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_subscriptions_are_refused_naming_the_field(app, client, auth, home, change, field):
    resp = subscribe(client, auth.headers(home["ada"]), {**browser_subscription(), **change})
    assert resp.status_code == 400, resp.json
    assert field in resp.json["details"]["fields"]
    assert count_subscriptions(app) == 0


def test_a_plain_http_loopback_endpoint_needs_testing_or_the_flag(app, client, auth, home):
    loopback = {**browser_subscription(), "endpoint": "http://127.0.0.1:8999/push/x"}
    app.config.update(TESTING=False, PUSH_ALLOW_LOOPBACK=False)
    assert subscribe(client, auth.headers(home["ada"]), loopback).status_code == 400
    app.config["PUSH_ALLOW_LOOPBACK"] = True
    assert subscribe(client, auth.headers(home["ada"]), loopback).status_code == 201


def test_one_reminder_or_all_of_them_can_be_switched_off(client, auth, home):
    headers = auth.headers(home["ada"])
    sub_id = subscribe(client, headers).json["id"]
    url = f"/api/push/subscriptions/{sub_id}"
    one_off = client.patch(url, json={"kinds": ["checkin"]}, headers=headers).json
    assert one_off["reminders"]["kinds"] == ["checkin"]
    off = client.patch(url, json={"enabled": False}, headers=headers).json
    assert off["reminders"]["enabled"] is False and off["reminders"]["kinds"] == ["checkin"]


def test_a_new_time_moves_the_next_reminder(client, auth, home):
    headers = auth.headers(home["ada"])
    sub_id = subscribe(client, headers).json["id"]
    changed = client.patch(f"/api/push/subscriptions/{sub_id}",
                           json={"time": "07:45", "timezone": "Asia/Tokyo"}, headers=headers).json
    next_at = datetime.fromisoformat(changed["next_at"]).astimezone(ZoneInfo("Asia/Tokyo"))
    assert (next_at.hour, next_at.minute) == (7, 45)


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_someone_elses_subscription_is_not_found(client, auth, home, method):
    sub_id = subscribe(client, auth.headers(home["ada"])).json["id"]
    resp = getattr(client, method)(f"/api/push/subscriptions/{sub_id}", json={},
                                   headers=auth.headers(home["bea"]))
    assert resp.status_code == 404 and resp.json["error"] == "not_found"


def test_a_deleted_subscription_is_gone(app, client, auth, home):
    headers = auth.headers(home["ada"])
    sub_id = subscribe(client, headers).json["id"]
    assert client.delete(f"/api/push/subscriptions/{sub_id}", headers=headers).status_code == 204
    assert count_subscriptions(app) == 0


def test_subscriptions_need_a_sign_in(client):
    assert client.get("/api/push/subscriptions").status_code == 401
    assert client.post("/api/push/subscriptions", json=browser_subscription()).status_code == 401


def test_signing_out_removes_the_reminders_of_that_sign_in_only(app, client, auth, home):
    on_tablet = auth.headers(home["ada"], home["tablet"])
    on_phone = auth.headers(home["ada"])
    subscribe(client, on_tablet, browser_subscription(1))
    kept = subscribe(client, on_phone, browser_subscription(2)).json["id"]
    subscribe(client, auth.headers(home["bea"], home["tablet"]), browser_subscription(1))
    assert client.post("/api/auth/logout", headers=on_tablet).status_code == 200
    with app.app_context():
        left = db.session.execute(select(PushSubscription.id, PushSubscription.person_id)).all()
    assert sorted(left) == sorted([(kept, home["ada"].id), (kept + 1, home["bea"].id)])


def test_an_erased_learner_has_no_subscriptions_left(app, client, auth, home):
    headers = auth.headers(home["ada"], home["tablet"])
    subscribe(client, headers)
    resp = client.post(f"/api/learners/{home['ada'].id}/erase", json={"confirm": "Ada"},
                       headers=headers)
    assert resp.status_code == 200, resp.json
    assert count_subscriptions(app) == 0


def test_a_mentor_plans_the_next_visit_to_a_learner_of_theirs(app, client, auth, home, make):
    make.pairing(home["mo"], home["ada"])
    headers = auth.headers(home["mo"])
    day = (date.today() + timedelta(days=3)).isoformat()
    resp = client.put(f"/api/push/visits/{home['ada'].id}", json={"next_visit_on": day},
                      headers=headers)
    assert resp.json == {"learner_id": home["ada"].id, "display_name": "Ada",
                         "next_visit_on": day}
    assert client.get("/api/push/visits", headers=headers).json["items"] == [resp.json]
    with app.app_context():
        assert db.session.scalar(select(Pairing.next_visit_on)).isoformat() == day


def test_a_planned_visit_can_be_cleared(client, auth, home, make):
    make.pairing(home["mo"], home["ada"])
    headers = auth.headers(home["mo"])
    url = f"/api/push/visits/{home['ada'].id}"
    client.put(url, json={"next_visit_on": date.today().isoformat()}, headers=headers)
    cleared = client.put(url, json={"next_visit_on": None}, headers=headers).json
    assert cleared["next_visit_on"] is None


SOON = (date.today() + timedelta(days=20)).isoformat()


@pytest.mark.parametrize("who, learner, body, code", [
    ("mo", "bea", {"next_visit_on": SOON}, 404),  # not paired
    ("mo", "ada", {"next_visit_on": "2020-01-01"}, 400),  # in the past
    ("mo", "ada", {"next_visit_on": "soon"}, 400),
    ("mo", "ada", {"next_visit_on": "9999-12-31"}, 400),  # more than a year ahead
    ("mo", "ada", {"next_visit_on": SOON.replace("-", "")}, 400),  # not YYYY-MM-DD
    ("mo", "ada", {}, 400),
    ("ada", "ada", {"next_visit_on": SOON}, 403),  # only mentors
])
def test_planning_a_visit_is_refused(client, auth, home, make, who, learner, body, code):
    make.pairing(home["mo"], home["ada"])
    resp = client.put(f"/api/push/visits/{home[learner].id}", json=body,
                      headers=auth.headers(home[who]))
    assert resp.status_code == code, resp.json


def test_a_learner_id_beyond_the_integer_keys_is_not_found(client, auth, home):
    resp = client.put(f"/api/push/visits/{2**40}", json={"next_visit_on": SOON},
                      headers=auth.headers(home["mo"]))
    assert resp.status_code == 404


@pytest.mark.parametrize("endpoint", [
    "https://169.254.169.254/latest/meta-data", "https://10.0.0.1/push", "https://192.168.1.1/x",
    "https://172.16.0.9/x", "https://100.64.0.1/x", "https://[fd00::1]/x", "https://[fe80::1]/x",
    "https://[::ffff:10.0.0.1]/x", "https://0.0.0.0/x", "https://2130706433/x", "https://0x7f.1/x",
    "https://localhost/x", "https://db.internal/x", "https://printer.local/x", "https://router/x",
])
def test_an_endpoint_inside_a_network_is_refused(app, client, auth, home, endpoint):
    """The scheduler would send to it: a subscription must not make the server reach hosts only
    it can reach (backend/push/destinations.py)."""
    app.config.update(TESTING=False, PUSH_ALLOW_LOOPBACK=False)
    resp = subscribe(client, auth.headers(home["ada"]), {**browser_subscription(),
                                                          "endpoint": endpoint})
    assert resp.status_code == 400, resp.json
    assert "inside a network" in resp.json["details"]["fields"]["endpoint"][0]
    assert count_subscriptions(app) == 0


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc", "https://web.push.apple.com/QGx",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAA", "https://8.8.8.8/x",
])
def test_a_push_service_on_the_internet_is_taken(app, client, auth, home, endpoint):
    app.config.update(TESTING=False, PUSH_ALLOW_LOOPBACK=False)
    resp = subscribe(client, auth.headers(home["ada"]), {**browser_subscription(),
                                                          "endpoint": endpoint})
    assert resp.status_code == 201, resp.json
