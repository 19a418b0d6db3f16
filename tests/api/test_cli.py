"""The ``flask`` commands: what they make, and the plain error each mistake gets."""
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from backend.auth.credentials import _matches
from backend.extensions import db
from backend.models import AuditEntry, Device, Organisation, Pairing, Person, Token
from backend.models.types import utcnow

PASSWORD = "a long enough password"


@pytest.fixture(autouse=True)
def instance(app, tmp_path):
    app.instance_path = str(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash
    monkeypatch.setattr("backend.cli.hash_secret", fast)
    monkeypatch.setattr("backend.demo.hash_secret", fast)


@pytest.fixture
def flask(runner):
    """Run ``flask ARGS...``; fail the test on a traceback, which would mean a bug."""

    def run(*args, input=None):
        result = runner.invoke(args=[str(a) for a in args], input=input)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.output)
        assert "Traceback" not in result.output
        return result

    return run


def get(app, model, **where):
    with app.app_context():
        obj = db.session.scalar(select(model).filter_by(**where))
        if obj is not None:
            db.session.expunge(obj)
        return obj


def test_org_create_makes_an_organisation_and_prints_its_id(app, flask):
    result = flask("org", "create", "Elmfield House", "--kind", "care_home")
    org = get(app, Organisation, name="Elmfield House")
    assert result.exit_code == 0 and f"organisation {org.id}:" in result.output
    assert (org.kind, org.timezone) == ("care_home", "Europe/London")


def test_org_create_takes_a_timezone(app, flask):
    flask("org", "create", "Glan y Môr", "--kind", "home_care", "--timezone", "Europe/Dublin")
    assert get(app, Organisation, name="Glan y Môr").timezone == "Europe/Dublin"


@pytest.mark.parametrize("args, message", [
    (["--kind", "hospital"], "'hospital' is not one of"),
    (["--kind", "care_home", "--timezone", "Mars/Olympus"], "not a known time zone"),
    ([], "Missing option '--kind'"),
])
def test_org_create_refuses_bad_options(flask, args, message):
    result = flask("org", "create", "Somewhere", *args)
    assert result.exit_code != 0 and message in result.output


def test_org_list_shows_ids_and_names(make, flask):
    org = make.org(name="Elmfield House")
    assert f"{org.id}  Elmfield House (care home)" in flask("org", "list").output


def test_people_add_staff_with_a_password_and_admin(app, make, flask):
    org = make.org()
    result = flask("people", "add", "--org", org.id, "--role", "staff", "--name", "Helen Okafor",
                   "--email", "Helen@Example.org", "--password", PASSWORD, "--admin")
    helen = get(app, Person, display_name="Helen Okafor")
    assert result.exit_code == 0, result.output
    assert (helen.email, helen.is_admin) == ("helen@example.org", True)
    assert _matches(helen.password_hash, PASSWORD)


def test_people_add_asks_for_a_mentors_password_hidden_and_twice(app, make, flask):
    org = make.org()
    result = flask("people", "add", "--org", org.id, "--role", "mentor", "--name", "Sam",
                   "--email", "sam@example.org", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert _matches(get(app, Person, display_name="Sam").password_hash, PASSWORD)


def test_people_add_a_learner_with_a_pin(app, make, flask):
    org = make.org()
    flask("people", "add", "--org", org.id, "--role", "learner", "--name", "Edna",
          "--pin", "2468")
    edna = get(app, Person, display_name="Edna")
    assert edna.role == "learner" and _matches(edna.pin_hash, "2468")


def test_people_add_a_learner_without_a_pin(app, make, flask):
    org = make.org()
    result = flask("people", "add", "--org", org.id, "--role", "learner", "--name", "Harold")
    assert "no PIN" in result.output and not get(app, Person, display_name="Harold").has_pin


@pytest.mark.parametrize("args, message", [
    (["--role", "staff", "--email", "a@example.org", "--password", "short"],
     "--password: Length must be between 10 and 200"),
    (["--role", "staff", "--password", PASSWORD], "--email: is required for staff and mentors"),
    (["--role", "mentor", "--email", "not-an-email", "--password", PASSWORD],
     "--email: Not a valid email address"),
    (["--role", "learner", "--email", "a@example.org"], "--email: a learner signs in with a tile"),
    (["--role", "learner", "--pin", "12"], "4 to 8 digits"),
    (["--role", "learner", "--pin", "12ab"], "4 to 8 digits"),
    (["--role", "mentor", "--email", "m@example.org", "--pin", "1234"], "--pin: only a learner has a PIN"),
    (["--role", "mentor", "--email", "m@example.org", "--password", PASSWORD, "--admin"],
     "--admin: only staff can administer"),
    (["--role", "visitor"], "'visitor' is not one of"),
    (["--role", "learner", "--name", " "], "--name: must not be blank"),
    (["--role", "mentor", "--opted-out", "--email", "m@example.org", "--password", PASSWORD],
     "--opted-out: only a learner can opt out"),
])
def test_people_add_refuses_mistakes_and_adds_nobody(app, make, flask, args, message):
    org = make.org()
    name = [] if "--name" in args else ["--name", "Somebody"]
    result = flask("people", "add", "--org", org.id, *name, *args)
    assert result.exit_code != 0 and message in result.output
    assert get(app, Person, organisation_id=org.id) is None


def test_people_add_a_learner_left_out_of_totals(app, make, flask):
    org = make.org()
    flask("people", "add", "--org", org.id, "--role", "learner", "--name", "Walter",
          "--opted-out")
    assert get(app, Person, display_name="Walter").opted_out is True


def test_people_add_points_out_a_mistake_before_asking_for_a_password(make, flask):
    org = make.org()
    result = flask("people", "add", "--org", org.id, "--role", "mentor", "--name", "Sam",
                   "--email", "sam@example.org", "--pin", "1234")
    assert "Password" not in result.output and "only a learner has a PIN" in result.output


def test_people_add_refuses_an_email_already_in_use(make, flask):
    org = make.org()
    make.staff(org, email="taken@example.org")
    result = flask("people", "add", "--org", org.id, "--role", "mentor", "--name", "Sam",
                   "--email", "TAKEN@example.org", "--password", PASSWORD)
    assert result.exit_code == 1 and "someone already signs in with taken@example.org" in result.output


def test_people_add_refuses_an_unknown_organisation(flask):
    result = flask("people", "add", "--org", 999, "--role", "learner", "--name", "Edna")
    assert result.exit_code == 1 and "no organisation with id 999" in result.output


def test_people_add_refuses_mismatched_passwords(make, flask):
    org = make.org()
    result = flask("people", "add", "--org", org.id, "--role", "mentor", "--name", "Sam",
                   "--email", "sam@example.org", input=f"{PASSWORD}\nsomething else\n")
    assert result.exit_code != 0 and "do not match" in result.output


def test_people_list_shows_each_person_with_their_id(make, flask):
    org = make.org()
    edna = make.learner(org, name="Edna Whitworth")
    output = flask("people", "list", "--org", org.id).output
    assert f"{edna.id}  org {org.id}  learner  Edna Whitworth" in output


def test_people_unlock_lifts_a_lock(app, make, flask):
    org = make.org()
    edna = make.learner(org, pin="2468", failed_attempts=10, locked_by_staff_needed=True,
                        locked_until=utcnow())
    result = flask("people", "unlock", edna.id)
    edna = get(app, Person, id=edna.id)
    assert result.exit_code == 0
    assert (edna.failed_attempts, edna.locked_until, edna.locked_by_staff_needed) == (
        0, None, False)


def test_people_set_password_asks_twice_and_ends_every_sign_in(app, make, auth, flask):
    org = make.org()
    mentor = make.mentor(org)
    auth.headers(mentor)
    result = flask("people", "set-password", mentor.id, input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and "every sign-in they had has ended" in result.output
    assert _matches(get(app, Person, id=mentor.id).password_hash, PASSWORD)
    assert get(app, Token, person_id=mentor.id).revoked_at is not None
    entry = get(app, AuditEntry, action="person_changed")
    assert entry.detail == {"person_id": mentor.id, "fields": ["password"],
                            "by": "command line"}


@pytest.mark.parametrize("role, password, message", [
    ("learner", PASSWORD, "A learner has a PIN, not a password"),
    ("mentor", "short", "--password: Length must be between 10 and 200."),
])
def test_people_set_password_refuses_mistakes(app, make, flask, role, password, message):
    person = make.person(make.org(), role)
    before = get(app, Person, id=person.id).password_hash
    result = flask("people", "set-password", person.id, "--password", password)
    assert result.exit_code == 1 and message in result.output
    assert get(app, Person, id=person.id).password_hash == before


@pytest.mark.parametrize("ident", [999, 0, 2**31, 10**12])
def test_people_unlock_refuses_an_unknown_person(flask, ident):
    result = flask("people", "unlock", ident)
    assert result.exit_code == 1 and f"no person with id {ident}" in result.output


def test_pair_pairs_a_mentor_with_a_learner(app, make, flask):
    org = make.org()
    mentor, learner = make.mentor(org), make.learner(org)
    result = flask("pair", mentor.id, learner.id)
    pairing = get(app, Pairing, mentor_id=mentor.id, learner_id=learner.id)
    assert result.exit_code == 0 and pairing.ended_at is None


@pytest.mark.parametrize("case, message", [
    ("already", "is already paired with"),
    ("swapped", "is a learner, not a mentor"),
    ("two_mentors", "is a mentor, not a learner"),
    ("other_org", "learners of their own organisation"),
    ("unknown", "no person with id 999"),
])
def test_pair_refuses_mistakes(make, flask, case, message):
    org = make.org()
    mentor, learner = make.mentor(org), make.learner(org)
    args = {"already": (mentor.id, learner.id), "swapped": (learner.id, mentor.id),
            "two_mentors": (mentor.id, make.mentor(org).id),
            "other_org": (mentor.id, make.learner(make.org()).id),
            "unknown": (mentor.id, 999)}[case]
    if case == "already":
        make.pairing(mentor, learner)
    result = flask("pair", *args)
    assert result.exit_code == 1 and message in result.output


def test_pair_refuses_someone_no_longer_active(make, flask):
    org = make.org()
    mentor, learner = make.mentor(org), make.learner(org, active=False)
    result = flask("pair", mentor.id, learner.id)
    assert result.exit_code == 1 and "Only active people" in result.output


def test_pair_is_written_to_the_audit_log_as_the_command_lines(app, make, flask):
    org = make.org()
    mentor, learner = make.mentor(org), make.learner(org)
    flask("pair", mentor.id, learner.id)
    entry = get(app, AuditEntry, action="pairing_created")
    assert (entry.organisation_id, entry.actor_id, entry.learner_id) == (org.id, None, learner.id)
    assert entry.detail["by"] == "command line"


def test_unpair_ends_the_pairing(app, make, flask):
    org = make.org()
    mentor, learner = make.mentor(org), make.learner(org)
    make.pairing(mentor, learner)
    result = flask("unpair", mentor.id, learner.id)
    assert result.exit_code == 0
    assert get(app, Pairing, mentor_id=mentor.id).ended_at is not None


def test_unpair_refuses_a_pair_that_is_not_paired(make, flask):
    org = make.org()
    mentor, learner = make.mentor(org), make.learner(org)
    make.pairing(mentor, learner, ended=True)
    result = flask("unpair", mentor.id, learner.id)
    assert result.exit_code == 1 and "is not paired with" in result.output


def test_device_enrol_prints_a_key_that_opens_the_tablets_tiles(client, make, flask):
    org = make.org(name="Elmfield House")
    make.learner(org, name="Edna")
    result = flask("device", "enrol", "--org", org.id, "--name", "Lounge tablet")
    key = result.output.strip().splitlines()[-1].strip()
    tiles = client.post("/api/auth/tiles", json={"device_key": key})
    assert tiles.status_code == 200 and tiles.json["device"] == "Lounge tablet"
    assert [p["display_name"] for p in tiles.json["people"]] == ["Edna"]


def test_device_enrol_refuses_an_unknown_organisation(flask):
    result = flask("device", "enrol", "--org", 999, "--name", "Lounge tablet")
    assert result.exit_code == 1 and "no organisation with id 999" in result.output


def test_device_revoke_stops_the_key_working(client, make, flask):
    device = make.device(make.org())
    result = flask("device", "revoke", device.id)
    tiles = client.post("/api/auth/tiles", json={"device_key": device.raw_key})
    assert result.exit_code == 0 and tiles.status_code == 401


def test_device_revoke_ends_the_sign_ins_made_on_the_tablet(app, client, make, auth, flask):
    org = make.org()
    device = make.device(org)
    headers = auth.headers(make.learner(org), device=device)
    flask("device", "revoke", device.id)
    assert get(app, Token, device_id=device.id).revoked_at is not None
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_device_revoke_twice_says_so_and_succeeds(make, flask):
    device = make.device(make.org())
    flask("device", "revoke", device.id)
    result = flask("device", "revoke", device.id)
    assert result.exit_code == 0 and "already revoked" in result.output


def test_device_revoke_refuses_an_unknown_tablet(flask):
    result = flask("device", "revoke", 999)
    assert result.exit_code == 1 and "no tablet with id 999" in result.output


def test_device_list_shows_enrolled_and_revoked_tablets(app, make, flask):
    org = make.org()
    kept, gone = make.device(org, name="Lounge"), make.device(org, name="Old one")
    flask("device", "revoke", gone.id)
    output = flask("device", "list").output
    assert f"{kept.id}  org {org.id}  Lounge (enrolled)" in output
    assert f"{gone.id}  org {org.id}  Old one (revoked)" in output


def test_pairings_lists_active_ones_first_with_names_and_dates(app, make, flask):
    org, other = make.org(), make.org()
    ada, mo = make.learner(org, name="Ada Lovelace"), make.mentor(org, name="Mo Khan")
    old = make.pairing(mo, ada, ended=True)
    now = make.pairing(mo, ada)
    make.pairing(make.mentor(other, name="Elsewhere"), make.learner(other))

    lines = flask("pairings", "--org", org.id).output.splitlines()

    assert lines[0].startswith(f"{now.id:>4}  mentor {mo.id} Mo Khan -> learner {ada.id} "
                               "Ada Lovelace  since ") and lines[0].endswith("active")
    assert lines[1].startswith(f"{old.id:>4}") and "  ended 20" in lines[1]
    assert len(lines) == 2 and "Elsewhere" not in flask("pairings", "--org", org.id).output
    assert "Elsewhere" in flask("pairings").output


def test_show_config_masks_the_secret_key_and_database_password(app, flask):
    app.config["SECRET_KEY"] = "very-secret-value"
    app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://wm:hunter22@db.local/wm"
    output = flask("show-config").output
    assert "SECRET_KEY = (set)" in output
    assert "postgresql+psycopg://***@db.local/wm" in output
    assert "very-secret-value" not in output and "hunter22" not in output


def test_show_config_warns_when_the_access_log_cannot_be_written(app, flask, tmp_path):
    assert "access log" not in flask("show-config").output  # the test's own, in tmp_path
    app.config["ACCESS_LOG"] = str(tmp_path / "no such folder" / "access.jsonl")
    assert "warning: the access log" in flask("show-config").output
    app.config["ACCESS_LOG"] = ""
    assert "warning: ACCESS_LOG is empty" in flask("show-config").output


def test_show_config_warns_about_the_development_secret(app, flask):
    app.config["SECRET_KEY"] = "dev-only-change-me"
    assert "warning: SECRET_KEY is the development default" in flask("show-config").output


def test_demo_load_reports_what_it_made(flask):
    result = flask("demo", "load", "--today", "2026-03-31")
    assert result.exit_code == 0
    assert "12 learners, 3 mentors, 3 staff, 2 tablets" in result.output


def test_demo_load_refuses_a_database_that_has_organisations(make, flask):
    make.org()
    result = flask("demo", "load")
    assert result.exit_code == 1 and "only into an empty one" in result.output


def test_demo_load_if_empty_does_nothing_the_second_time(app, flask):
    flask("demo", "load", "--if-empty")
    result = flask("demo", "load", "--if-empty")
    with app.app_context():
        people = db.session.scalars(select(Person)).all()
    assert result.exit_code == 0 and "was not loaded" in result.output
    assert len(people) == 18


def test_demo_sign_ins_prints_the_address_emails_keys_and_pins(app, flask):
    flask("demo", "load", "--today", "2026-03-31")
    output = flask("demo", "sign-ins", "--host", "0.0.0.0", "--port", "8080").output
    with app.app_context():
        devices = db.session.scalars(select(Device)).all()
    assert "http://0.0.0.0:8080" in output
    assert "helen.okafor@elmfield.example" in output and "whatmatters-demo" in output
    assert "Edna Whitworth" in output and "PIN 2468" in output and "no PIN" in output
    assert output.count("key dev_") == len(devices) == 2


def test_demo_sign_ins_reads_host_and_port_from_the_environment(flask, monkeypatch):
    monkeypatch.setenv("HOST", "192.0.2.7")
    monkeypatch.setenv("PORT", "5055")
    assert "http://192.0.2.7:5055" in flask("demo", "sign-ins").output


def test_demo_sign_ins_without_a_demo_says_so_and_succeeds(flask):
    result = flask("demo", "sign-ins")
    assert result.exit_code == 0 and "No demo sign-ins" in result.output


def test_demo_sign_ins_notices_a_database_that_no_longer_holds_the_demo(app, flask):
    flask("demo", "load", "--today", "2026-03-31")
    with app.app_context():
        for device in db.session.scalars(select(Device)):
            device.key_hash = f"{device.id:064d}"
        db.session.commit()
    assert "no longer match the database" in flask("demo", "sign-ins").output


def test_sync_new_epoch_reminds_what_a_restore_brought_back(app, flask):
    from backend.models import SyncState

    result = flask("sync", "new-epoch")

    with app.app_context():
        epoch = db.session.get(SyncState, 1).epoch
    assert result.exit_code == 0
    assert f"The sync epoch is now {epoch}." in result.output
    # no change has been logged yet (tests/api/test_access_log.py has a log)
    assert "There is no access log at" in result.output
    assert "end again by hand the pairings ended since the backup" in result.output
    assert "revoke again the tablets revoked since" in result.output
    assert "erase again the learners erased since" in result.output
    assert "PINs and passwords changed" in result.output
