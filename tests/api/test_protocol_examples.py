"""The worked examples of docs/sync-protocol.md, replayed against the server: every request they
show gets the answer they show (but for the server's epoch and times), so a second client
written from the document meets the server the document describes."""
import json
import re
from pathlib import Path

import pytest

from backend.extensions import db
from backend.models import Organisation, Pairing, Person
from sync import Cursor

DOC = Path(__file__).resolve().parents[2] / "docs" / "sync-protocol.md"
LEARNER, MENTOR = 42, 7
# the examples' replicas: the learner's tablet and phone, the mentor's phone
PERSON_OF_REPLICA = {"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d": LEARNER,
                     "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f": LEARNER,
                     "3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b": MENTOR}
SERVER_TIMES = ("created_at", "updated_at")


def exchanges():
    """(path, request, status, answer) of each exchange the worked examples show whole."""
    text = DOC.read_text()
    section = text.split("## Worked examples", 1)[1].split("\n## ", 1)[0]
    found = []
    for block in re.findall(r"```json\n(.*?)```", section, re.S):
        shown = re.match(r"POST (\S+)\n(.*?)\n\n(\d{3})\n(.*)", block, re.S)
        if shown:
            path, request, status, answer = shown.groups()
            found.append((path, json.loads(request), int(status), json.loads(answer)))
    return found


def _comparable(answer, epoch):
    """The answer with what the example cannot know (the epoch, server times) set aside, and
    its cursor decoded."""
    answer = json.loads(json.dumps(answer))
    assert answer.pop("epoch") in (epoch, "5d2b6a0e-7a39-4f5c-8f7e-1b9c2d3e4f50")
    if "cursor" in answer:
        cursor = Cursor.decode(answer.pop("cursor"))
        answer["cursor_seqs"] = (cursor.seqs, cursor.masks, cursor.purged)
    for change in answer.get("changes", []):
        for name in SERVER_TIMES:
            change.pop(name, None)
    return answer


@pytest.fixture
def people(app, auth):
    with app.app_context():
        org = Organisation(name="Elmfield", kind="care_home")
        db.session.add(org)
        db.session.flush()
        learner = Person(id=LEARNER, organisation_id=org.id, role="learner",
                         display_name="Edna Whitworth")
        mentor = Person(id=MENTOR, organisation_id=org.id, role="mentor",
                        display_name="David Marsh", email="david.marsh@example.org")
        db.session.add_all([learner, mentor])
        db.session.flush()
        db.session.add(Pairing(mentor_id=MENTOR, learner_id=LEARNER))
        db.session.commit()
        return {LEARNER: auth.headers(learner), MENTOR: auth.headers(mentor)}


def test_the_document_shows_its_exchanges():
    assert [(path, status) for path, _, status, _ in exchanges()] == [
        ("/api/sync/push", 200)] * 3 + [("/api/sync/pull", 200), ("/api/sync/push", 200)]


def test_every_worked_example_gets_the_answer_the_document_shows(client, people):
    epoch = None
    for path, request, status, shown in exchanges():
        person = PERSON_OF_REPLICA[request["replica"]]
        resp = client.post(path, json=request, headers=people[person])

        assert resp.status_code == status, resp.json
        epoch = epoch or resp.json["epoch"]
        assert _comparable(resp.json, epoch) == _comparable(shown, epoch), (path, request)
