"""The access log (backend/access_log.py): changes of access are written outside the database as
they commit, and ``flask sync new-epoch``, on a database restored from a backup older than
they are, makes again those that took access away and names those that gave it
(docs/deployment.md, "Restoring")."""
import subprocess
import sys
import urllib.request

import pytest
from sqlalchemy import select

from backend.auth.tokens import digest
from backend.extensions import db
from backend.models import AuditEntry, Pairing, Person, Token
from sync import Client

from ..http_transport import HttpTransport
from ..live_server import ROOT, ServerProcess
from ..restores import backup, log_text, logged, new_epoch, restore
from .sync_http import FlaskTransport

PIN = "2468"


@pytest.fixture
def home(make):
    org = make.org("Elmfield House")
    ada = make.learner(org, name="Ada Lovelace", pin=PIN)
    eve = make.learner(org, name="Eve Marsh")
    mo, bea = make.mentor(org, name="Mo Khan"), make.mentor(org, name="Bea Nolan")
    return {"org": org, "ada": ada, "eve": eve, "mo": mo, "bea": bea,
            "pairing": make.pairing(mo, ada), "admin": make.staff(org, is_admin=True),
            "lounge": make.device(org, "Lounge tablet"), "lost": make.device(org, "Lost tablet"),
            "shared": make.goal(ada, title="Walk to the park", visibility="mentor"),
            "eves": make.goal(eve, title="Plant the bulbs")}


def pin_sign_in(client, tablet, person):
    resp = client.post("/api/auth/pin", json={"device_key": tablet.raw_key,
                                              "person_id": person.id, "pin": PIN})
    assert resp.status_code == 200, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def take_access_away(client, auth, home, signed_in):
    """What staff and people do after the backup: each change that takes access away."""
    admin, eve = auth.headers(home["admin"]), home["eve"]
    assert client.post(f"/api/pairings/{home['pairing'].id}/end",
                       headers=admin).status_code == 200
    assert client.post(f"/api/devices/{home['lost'].id}/revoke", headers=admin).status_code == 200
    assert client.post("/api/auth/logout", headers=signed_in).status_code == 200
    assert client.patch(f"/api/people/{home['bea'].id}", headers=admin,
                        json={"active": False}).status_code == 200
    assert client.post(f"/api/learners/{eve.id}/erase", headers=admin,
                       json={"confirm": "Eve Marsh"}).status_code == 200


def pulls(client, headers, record):
    """Whether a new device of the person signed in with ``headers`` gets ``record``."""
    device = Client(FlaskTransport(client, headers))
    assert device.sync().ok
    return record.id in device.records


def token_id(app, headers):
    with app.app_context():
        return db.session.scalar(select(Token.id).where(
            Token.token_hash == digest(headers["Authorization"].split()[1])))


def test_each_change_that_takes_access_away_is_logged_once_it_commits(app, client, auth, home):
    signed_in = pin_sign_in(client, home["lounge"], home["ada"])
    admin = auth.headers(home["admin"])
    # refused, or changing nothing: nothing is logged
    assert client.post(f"/api/learners/{home['eve'].id}/erase", headers=admin,
                       json={"confirm": "Someone else"}).status_code == 400
    assert client.patch(f"/api/people/{home['bea'].id}", headers=admin,
                        json={"active": True}).status_code == 200

    take_access_away(client, auth, home, signed_in)
    assert client.post(f"/api/pairings/{home['pairing'].id}/end",
                       headers=admin).status_code == 200  # again: it was ended already

    lines = logged(app)
    assert [(line["change"], line["id"]) for line in lines] == [
        ("pairing_ended", home["pairing"].id), ("device_revoked", home["lost"].id),
        ("sign_in_ended", token_id(app, signed_in)), ("person_deactivated", home["bea"].id),
        ("learner_erased", home["eve"].id)]
    assert lines[0]["born"] == home["pairing"].started_at.isoformat()
    assert lines[4]["born"] == home["eve"].created_at.isoformat()  # not the stub's new time
    text = log_text(app)
    assert not any(word in text for word in ("Eve", "Ada", "Bea", "Lost", "Plant the bulbs"))


def test_the_command_line_logs_what_it_takes_away(app, home):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["unpair", str(home["mo"].id), str(home["ada"].id)]).exit_code == 0
    assert runner.invoke(args=["device", "revoke", str(home["lost"].id)]).exit_code == 0

    assert [(line["change"], line["id"]) for line in logged(app)] == [
        ("pairing_ended", home["pairing"].id), ("device_revoked", home["lost"].id)]


def test_a_restore_from_an_older_backup_gets_back_what_took_access_away(
        app, client, auth, home):
    ada, eve, mo, bea = home["ada"], home["eve"], home["mo"], home["bea"]
    signed_in = pin_sign_in(client, home["lounge"], ada)
    mo_phone, bea_phone = auth.headers(mo), auth.headers(bea)
    lost_key = home["lost"].raw_key
    dump = backup(app)
    take_access_away(client, auth, home, signed_in)

    restore(app, dump)
    # what the backup brought back: all of it worked again
    assert pulls(client, mo_phone, home["shared"])
    assert client.post("/api/auth/tiles", json={"device_key": lost_key}).status_code == 200
    for headers in (signed_in, bea_phone):
        assert client.get("/api/auth/me", headers=headers).status_code == 200

    output = new_epoch(app)

    assert "Made again from the access log" in output and "5 changes" in output
    assert f"ended pairing {home['pairing'].id} (mentor {mo.id}, learner {ada.id})" in output
    assert f"erased learner {eve.id} again (1 entry)" in output
    assert not pulls(client, mo_phone, home["shared"])
    assert client.post("/api/auth/tiles", json={"device_key": lost_key}).status_code == 401
    for headers in (signed_in, bea_phone):
        assert client.get("/api/auth/me", headers=headers).status_code == 401
    admin = auth.headers(home["admin"])
    assert client.get(f"/api/people/{eve.id}", headers=admin).status_code == 404
    with app.app_context():
        assert db.session.get(Person, eve.id).display_name == "Erased learner"
        assert db.session.get(type(home["eves"]), home["eves"].id) is None
        restored = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id.is_(None))
                                      ).all()
    assert sorted(e.action for e in restored) == [
        "device_revoked", "erase_journal", "pairing_ended", "person_changed", "sign_in_ended"]
    assert all(e.detail["by"] == "restore" for e in restored)
    ended = next(e for e in restored if e.action == "pairing_ended")
    assert ended.detail["logged_at"] == logged(app)[0]["at"]  # when it was first made
    assert "holds no change this database lacks" in new_epoch(app)  # once is enough


def test_a_row_made_since_under_the_same_id_is_left_alone(app, client, auth, home, make):
    pairing = home["pairing"]
    dump = backup(app)
    take_access_away(client, auth, home, pin_sign_in(client, home["lounge"], home["ada"]))
    restore(app, dump)
    with app.app_context():
        db.session.delete(db.session.get(Pairing, pairing.id))
        db.session.commit()
        db.session.add(Pairing(id=pairing.id, mentor_id=home["mo"].id,
                               learner_id=home["ada"].id))  # made now: started later
        db.session.commit()

    output = new_epoch(app)

    assert "3 changes" in output and "ended pairing" not in output  # the sign-in came after
    with app.app_context():
        assert db.session.get(Pairing, pairing.id).ended_at is None


def test_a_person_made_active_again_after_is_left_active(app, client, auth, home):
    admin, bea = auth.headers(home["admin"]), home["bea"]
    dump = backup(app)
    for active in (False, True):
        assert client.patch(f"/api/people/{bea.id}", headers=admin,
                            json={"active": active}).status_code == 200
    restore(app, dump)
    # the logs of two machines joined one after the other: taken in the order of their times
    lines = log_text(app).splitlines()
    with open(app.config["ACCESS_LOG"], "w", encoding="utf-8") as log:
        log.write("\n".join(reversed(lines)) + "\n")

    output = new_epoch(app)

    assert "holds no change this database lacks" in output
    with app.app_context():
        assert db.session.get(Person, bea.id).active


def test_a_line_cut_short_is_reported_and_the_others_are_made_again(app, client, auth, home):
    dump = backup(app)
    take_access_away(client, auth, home, pin_sign_in(client, home["lounge"], home["ada"]))
    with open(app.config["ACCESS_LOG"], "a", encoding="utf-8") as log:
        log.write('{"at": "2026-11-28T06:00:00+00:00", "chan')
    restore(app, dump)

    output = new_epoch(app)

    assert "4 changes" in output  # the sign-in came after the backup
    assert "Line 6 of the access log could not be read; it was skipped." in output


def test_without_an_access_log_the_command_says_what_to_do_by_hand(app):
    app.config["ACCESS_LOG"] = ""
    output = new_epoch(app)
    assert "There is no access log (ACCESS_LOG is empty)" in output
    assert "end again by hand the pairings ended since the backup" in output
    assert "The sync epoch is now" in output


def test_the_operators_restore_with_a_real_server_and_the_real_command(
        app, auth, home, database_url, tmp_path):
    """docs/deployment.md, "Restoring", with processes: gunicorn's two workers write the log
    as staff end a pairing and revoke a tablet over HTTP; the app is stopped, the backup put
    in place, ``flask sync new-epoch`` run as its own process, the app started again; the
    mentor's phone then loses the learner's shared entries on its next pull."""
    mo_token = auth.headers(home["mo"])["Authorization"].split()[1]
    admin = auth.headers(home["admin"])
    server = ServerProcess(database_url, str(tmp_path / "instance"), workers=2, threads=1)
    server.env["ACCESS_LOG"] = str(tmp_path / "access-changes.jsonl")
    server.start()
    try:
        mo_phone = Client(HttpTransport(server.url, mo_token))
        assert mo_phone.sync().ok and home["shared"].id in mo_phone.records
        dump = backup(app)
        for path in (f"/api/pairings/{home['pairing'].id}/end",
                     f"/api/devices/{home['lost'].id}/revoke"):
            request = urllib.request.Request(server.url + path, data=b"{}", method="POST",
                                             headers={**admin, "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as resp:
                assert resp.status == 200
        server.stop()
        restore(app, dump)
        command = subprocess.run([sys.executable, "-m", "flask", "--app", "backend", "sync",
                                  "new-epoch"], env=server.env, cwd=ROOT, capture_output=True,
                                 text=True, timeout=120, check=True)
        server.start()

        assert "2 changes this database lacked" in command.stdout
        assert f"revoked tablet {home['lost'].id} (Lost tablet)" in command.stdout
        assert mo_phone.sync().ok and home["shared"].id not in mo_phone.records
    finally:
        server.stop()


def give_access(client, admin, home):
    """What staff do after the backup that gives access; returns the ids it made."""
    made = {}
    resp = client.post("/api/pairings", headers=admin,
                       json={"mentor_id": home["mo"].id, "learner_id": home["eve"].id})
    assert resp.status_code == 201
    made["pairing"] = resp.get_json()["id"]
    resp = client.post("/api/devices", headers=admin, json={"name": "Garden room tablet"})
    assert resp.status_code == 201
    made["device"] = resp.get_json()["device"]["id"]
    resp = client.post("/api/people", headers=admin,
                       json={"role": "learner", "display_name": "Nell Gwyn", "pin": "1470"})
    assert resp.status_code == 201
    made["learner"] = resp.get_json()["id"]
    assert client.patch(f"/api/people/{home['ada'].id}", headers=admin,
                        json={"pin": "1357"}).status_code == 200
    assert client.patch(f"/api/people/{home['mo'].id}", headers=admin,
                        json={"password": "mo's new password"}).status_code == 200
    assert client.patch(f"/api/people/{home['bea'].id}", headers=admin,
                        json={"active": True}).status_code == 200
    # given and taken away again after the backup: nothing to make again
    resp = client.post("/api/pairings", headers=admin,
                       json={"mentor_id": home["bea"].id, "learner_id": home["ada"].id})
    assert resp.status_code == 201
    made["ended"] = resp.get_json()["id"]
    assert client.post(f"/api/pairings/{made['ended']}/end", headers=admin).status_code == 200
    return made


def test_a_restore_names_each_change_that_gave_access_since_the_backup(
        app, client, auth, home):
    admin, org = auth.headers(home["admin"]), home["org"]
    ada, bea, eve, mo = home["ada"], home["bea"], home["eve"], home["mo"]
    assert client.patch(f"/api/people/{bea.id}", headers=admin,
                        json={"active": False}).status_code == 200
    dump = backup(app)
    made = give_access(client, admin, home)
    assert [line["change"] for line in logged(app)] == [
        "person_deactivated", "pairing_made", "device_enrolled", "person_added", "pin_changed",
        "password_changed", "person_reactivated", "pairing_made", "pairing_ended"]
    assert logged(app)[1]["mentor"] == mo.id and logged(app)[1]["learner"] == eve.id
    text = log_text(app)
    assert not any(word in text for word in ("Garden", "Nell", "1357", "1470", "new password"))
    restore(app, dump)

    output = new_epoch(app)

    assert ("Access given since the backup, not in this database: 6 changes to make again by "
            "hand, if still wanted") in output
    assert (f"  - pairing {made['pairing']} of mentor {mo.id} with learner {eve.id}, made "
            in output and ": pair them again" in output)
    assert f"  - tablet {made['device']}, enrolled " in output
    assert f"  - learner {made['learner']} of organisation {org.id}, added " in output
    assert f"  - the PIN of learner {ada.id}, changed " in output
    assert (f"  - the password of person {mo.id}, changed " in output
            and "(until then the password before it signs them in)" in output)
    assert f"  - person {bea.id}, made active again " in output
    assert f"pairing {made['ended']} " not in output
    # named, not made: each needs someone's say, a new key, a new PIN or password
    with app.app_context():
        assert not db.session.get(Person, bea.id).active
        assert db.session.get(Pairing, made["pairing"]) is None


def test_access_given_that_the_restored_database_holds_is_not_named(app, client, auth, home):
    admin = auth.headers(home["admin"])
    assert client.patch(f"/api/people/{home['bea'].id}", headers=admin,
                        json={"active": False}).status_code == 200
    give_access(client, admin, home)
    dump = backup(app)  # taken after all of it
    restore(app, dump)

    output = new_epoch(app)

    assert "holds no access given since the backup that this database lacks" in output
    assert "make again by hand" not in output


def test_the_command_line_logs_what_it_gives(app, home):
    runner = app.test_cli_runner()
    org = home["org"].id
    assert runner.invoke(args=["pair", str(home["mo"].id), str(home["eve"].id)]).exit_code == 0
    assert runner.invoke(args=["device", "enrol", "--org", str(org),
                               "--name", "Hall tablet"]).exit_code == 0
    assert runner.invoke(args=["people", "add", "--org", str(org), "--role", "learner",
                               "--name", "Nell Gwyn"]).exit_code == 0

    lines = logged(app)
    assert [line["change"] for line in lines] == ["pairing_made", "device_enrolled",
                                                  "person_added"]
    assert (lines[0]["mentor"], lines[0]["learner"]) == (home["mo"].id, home["eve"].id)
    assert (lines[2]["role"], lines[2]["organisation"]) == ("learner", org)


def test_a_person_added_and_made_inactive_since_the_backup_is_not_named(app, client, auth, home):
    admin = auth.headers(home["admin"])
    dump = backup(app)
    resp = client.post("/api/people", headers=admin,
                       json={"role": "learner", "display_name": "Nell Gwyn"})
    assert resp.status_code == 201
    nell = resp.get_json()["id"]
    assert client.patch(f"/api/people/{nell}", headers=admin,
                        json={"active": False}).status_code == 200
    restore(app, dump)

    output = new_epoch(app)

    assert f"learner {nell} " not in output
    assert "holds no access given since the backup that this database lacks" in output
