"""The benchmark's journal records: learning sessions of about 500 bytes of JSON each."""
import json
import random
import uuid
from datetime import date, timedelta

ACTIVITIES = ("Practised video calls with my grandson", "Learnt three chords on the ukulele",
              "Read the first chapter of a library book", "Planted bulbs in the garden bed",
              "Tried the new recipe for lemon drizzle", "Walked to the post office and back")
NOTE = ("It went better than I expected. I was nervous at the start because the buttons are "
        "small, but my mentor wrote the steps on a card and I followed them slowly. Next time "
        "I would like to try it on my own before she arrives, and then show her. ")


def session_fields(rng, n):
    """A session's fields; ``n`` varies the note so no two records are byte-identical."""
    start = date(2026, 1, 1)
    return {
        "visibility": rng.choice(("private", "mentor", "care_team")),
        "date": (start + timedelta(days=n % 365)).isoformat(),
        "activity": rng.choice(ACTIVITIES),
        "minutes": rng.randint(10, 120),
        "with_whom": rng.choice(("alone", "mentor", "group")),
        "benefits": rng.sample(("new_things", "mind_active", "creative", "life_story"), 2),
        "feeling_before": rng.randint(1, 5),
        "feeling_after": rng.randint(1, 5),
        "note": f"Entry {n}. " + NOTE,
    }


def make_records(count, seed=1, start=0):
    """``count`` new records as (id, fields) pairs, reproducible from ``seed``."""
    rng = random.Random(seed)
    return [(str(uuid.UUID(int=rng.getrandbits(128), version=4)), session_fields(rng, start + i))
            for i in range(count)]


def changed(fields, n):
    """The same record after a person edits it: a new note and how they felt."""
    return {**fields, "feeling_after": 1 + n % 5, "note": f"Edited {n}. " + NOTE}


def average_size(records):
    return sum(len(json.dumps({"id": rid, **fields})) for rid, fields in records) / len(records)
