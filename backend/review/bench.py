"""How fast is the review at provider scale? ``python -m backend.review.bench [--records N]``

Fills a throwaway database (a temporary SQLite file; or, when DATABASE_URL names a PostgreSQL
server, a new database on it, dropped afterwards) with a provider of 50 homes, 2,000 learners
and ``--records`` journal records spread over the last twelve months, by bulk inserts; then
times the review of the last full month for the whole provider and for one home.
"""
import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, insert, text, update
from sqlalchemy.engine import make_url

HOMES, LEARNERS, MENTORS_PER_HOME = 50, 2000, 5
SHARE = {"sessions": 0.84, "goals": 0.03, "contributions": 0.04, "reflections": 0.03,
         "checkins": 0.04}  # and one profile per learner
CHUNK = 20_000
NOTE = "It went better than I expected; next time I would like to try it on my own first. "


def throwaway_database():
    """(url, drop) of a new empty database."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        folder = tempfile.mkdtemp(prefix="wm-review-bench-")
        return f"sqlite:///{folder}/bench.sqlite", lambda: shutil.rmtree(folder, True)
    url = make_url(server.replace("postgresql://", "postgresql+psycopg://"))
    name = f"wm_review_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def _people(db, models, now):
    """50 homes, their staff, mentors and learners; returns (home ids, learner ids by home)."""
    Organisation, Person, Pairing, Device = models
    db.session.execute(insert(Organisation), [
        {"name": f"Home {n + 1}", "kind": "care_home" if n % 5 else "home_care",
         "timezone": "Europe/London", "created_at": now} for n in range(HOMES)])
    homes = [o.id for o in db.session.query(Organisation).order_by(Organisation.id)]
    joined = now - timedelta(days=400)
    rows = []
    for i, home in enumerate(homes):
        rows.append({"organisation_id": home, "role": "staff", "display_name": f"Staff {i}",
                     "email": f"staff{i}@bench.example", "created_at": joined})
        rows += [{"organisation_id": home, "role": "mentor", "display_name": f"Mentor {i}.{m}",
                  "email": f"mentor{i}.{m}@bench.example", "created_at": joined}
                 for m in range(MENTORS_PER_HOME)]
        rows += [{"organisation_id": home, "role": "learner", "display_name": f"Learner {i}.{n}",
                  "opted_out": n == 0, "created_at": joined}
                 for n in range(LEARNERS // HOMES)]
    db.session.execute(insert(Person), rows)
    people = db.session.query(Person.id, Person.organisation_id, Person.role).all()
    learners = {h: [p for p, o, r in people if o == h and r == "learner"] for h in homes}
    mentors = {h: [p for p, o, r in people if o == h and r == "mentor"] for h in homes}
    db.session.execute(insert(Pairing), [
        {"mentor_id": mentors[h][n % MENTORS_PER_HOME], "learner_id": lid, "started_at": joined}
        for h in homes for n, lid in enumerate(learners[h])])
    db.session.execute(insert(Device), [
        {"organisation_id": h, "name": f"Tablet {h}.{d}", "key_hash": uuid.uuid4().hex * 2,
         "created_at": joined, "last_seen_at": now - timedelta(days=d * 4)}
        for h in homes for d in range(2)])
    return homes, learners, mentors


def _fields(collection, rng, day):
    if collection == "sessions":
        before = rng.randint(1, 5)
        return {"date": day, "activity": "Practised video calls", "minutes": rng.randint(10, 90),
                "with_whom": rng.choice(("alone", "mentor", "group")),
                "benefits": rng.sample(("new_things", "mind_active", "creative", "world"), 2),
                "feeling_before": before, "feeling_after": min(5, before + rng.randint(-1, 2)),
                "note": NOTE}
    if collection == "goals":
        return {"title": "Learn to knit", "whose_idea": rng.choice(("suggested", "agreed", "own")),
                "status": rng.choice(("active", "achieved")), "gas_level": rng.randint(-2, 2),
                "benefits": ["creative"]}
    if collection == "contributions":
        return {"kind": rng.choice(("taught", "helped", "offer")), "what": "Knitting", "date": day}
    if collection == "reflections":
        return {"date": day, "text": "I surprised myself today.",
                "quote_consent": rng.random() < 0.3}
    return {"date": day, "life_satisfaction": rng.randint(3, 9), "worthwhile": rng.randint(3, 9),
            "happy": rng.randint(3, 9), "anxious": rng.randint(1, 7)}


def _journal(db, total, learners, mentors, today):
    from backend.models import COLLECTIONS

    rng, seq = random.Random(5), 0
    everyone = [(h, n, lid) for h, ids in learners.items() for n, lid in enumerate(ids)]
    for collection, share in SHARE.items():
        model, count = COLLECTIONS[collection], int(total * share)
        for offset in range(0, count, CHUNK):
            rows = []
            for _ in range(min(CHUNK, count - offset)):
                home, n, lid = rng.choice(everyone)
                day = today - timedelta(days=rng.randint(1, 365))
                at = datetime(day.year, day.month, day.day, 11, tzinfo=timezone.utc)
                # a third of the sessions are visits their paired mentor logged
                author = (mentors[home][n % MENTORS_PER_HOME] if collection == "sessions"
                          and rng.random() < 0.3 else lid)
                seq += 1
                rows.append({"id": str(uuid.uuid4()), "learner_id": lid, "author_id": author,
                             "visibility": rng.choice(("private", "mentor", "care_team")),
                             "created_at": at, "updated_at": at, "deleted": False, "seq": seq,
                             "revs": {}, **_fields(collection, rng, day)})
            db.session.execute(insert(model), rows)
            db.session.commit()
    seq += 1
    db.session.execute(insert(COLLECTIONS["profile"]), [
        {"id": str(uuid.uuid4()), "learner_id": lid, "author_id": lid, "visibility": "private",
         "created_at": datetime.now(timezone.utc), "updated_at": datetime.now(timezone.utc),
         "deleted": False, "seq": seq + n, "revs": {}, "needs": "Good light"}
        for n, (_, _, lid) in enumerate(everyone)])
    return seq + len(everyone)


def fill(app, total):
    from backend.extensions import db
    from backend.models import Device, Organisation, Pairing, Person, SyncState

    now = datetime.now(timezone.utc)
    with app.app_context():
        homes, learners, mentors = _people(db, (Organisation, Person, Pairing, Device), now)
        db.session.commit()
        last = _journal(db, total, learners, mentors, now.date())
        db.session.execute(update(SyncState).values(seq=last))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum would have done after so many inserts: statistics, and the
            # visibility map that lets the review read from its indexes alone.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    return homes


def _homes(app):
    from backend.extensions import db
    from backend.models import Organisation

    with app.app_context():
        return [o.id for o in db.session.query(Organisation.id).order_by(Organisation.id)]


def timed(app, homes, repeat):
    """(wall, CPU) milliseconds of each review of the whole provider, and of one home. The CPU
    time is this process's: with SQLite it includes the database's work, which makes it the
    fairer figure on a machine shared with other work."""
    from backend.extensions import db
    from backend.models import Organisation
    from backend.models.types import utcnow
    from backend.review import figures
    from backend.review.period import last_full_month
    from zoneinfo import ZoneInfo

    results = {}
    with app.app_context():
        period = last_full_month(ZoneInfo("Europe/London"))
        orgs = db.session.query(Organisation).filter(Organisation.id.in_(homes)).all()
        for label, scope in (("provider", orgs), ("one home", orgs[:1])):
            runs = []
            for _ in range(repeat + 1):
                start, cpu = time.perf_counter(), time.process_time()
                figures.build(scope, period, utcnow())
                runs.append(((time.perf_counter() - start) * 1000,
                             (time.process_time() - cpu) * 1000))
                db.session.rollback()
            results[label] = runs[1:]  # the first run warms the caches
    return period, results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", help="use (and keep) this database URL; filled when empty")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from backend import create_app

    url, drop = (args.database, lambda: None) if args.database else throwaway_database()
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            upgrade()
        engine = make_url(url).get_backend_name()
        start = time.perf_counter()
        homes = _homes(app) or fill(app, args.records)
        print(f"{engine}: {HOMES} homes, {LEARNERS} learners, {args.records:,} records "
              f"(filled in {time.perf_counter() - start:.0f} s)", flush=True)
        period, results = timed(app, homes, args.repeat)
        for label, runs in results.items():
            wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
            print(f"{engine}: review of {period.first:%B %Y} for {label}: median "
                  f"{statistics.median(wall):.0f} ms, best {min(wall):.0f} ms, worst "
                  f"{max(wall):.0f} ms ({len(runs)} runs; this process's CPU: median "
                  f"{statistics.median(cpu):.0f} ms)")
        with app.app_context():
            from backend.extensions import db
            db.engine.dispose()
    finally:
        drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
