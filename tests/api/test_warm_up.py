"""A gunicorn worker compiles a sync's statements as it starts (backend/warm_up.py)."""
import uuid

from backend import create_app
from backend.sync_api import driver
from backend.warm_up import warm_up


def _push(client, headers, learner_id, count):
    replica = str(uuid.uuid4())
    mutations = [{"id": str(uuid.uuid4()), "replica": replica, "seq": n, "op": "upsert",
                  "collection": collection, "record_id": str(uuid.uuid4()),
                  "learner_id": learner_id, "base": {}, "at": "2026-11-27T10:00:00Z",
                  "fields": fields}
                 for n, (collection, fields) in enumerate(
                     [("sessions", {"activity": "Walk", "minutes": 20})] * count
                     + [("goals", {"title": "Paint the sea"})], 1)]
    return client.post("/api/sync/push", headers=headers, json={
        "protocol": 3, "replica": replica, "floor": 1, "mutations": mutations,
        "pull": {"cursor": None}})


def test_after_the_warm_up_a_push_compiles_nothing_more(app, client, auth, make):
    learner = make.learner(make.org())
    headers = auth.headers(learner)
    driver._COMPILED.clear()

    warm_up(app)
    compiled = set(driver._COMPILED)
    for count in (999, 37, 1):
        assert _push(client, headers, learner.id, count).status_code == 200

    assert compiled and set(driver._COMPILED) == compiled


def test_a_worker_starts_even_when_its_database_is_not_up(caplog):
    app = create_app({"SQLALCHEMY_DATABASE_URI":
                      "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2",
                      "TESTING": True})

    warm_up(app)

    assert "Starting without compiling the sync statements ahead" in caplog.text
