"""Six weeks of journal for each demo learner, made from their story and a seeded ``Random``.

Records are kept as plain rows and written with one bulk insert per table at the end
(``Journal.insert``): a few hundred ORM objects one by one would make the demo slow to load.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import insert
from sync import DELETED

from .journal.records import allocate_seqs
from .journal.schemas import profile_id
from .models import COLLECTIONS
from .models.journal import VISIBILITY
from .demo_stories import MENTOR_NOTES, NOTES_BETTER, NOTES_SAME, NOTES_WORSE

DAYS = 42


@dataclass
class Writer:
    """One learner as the journal generator sees them."""

    person_id: int
    story: object
    mentor: tuple | None  # (person id, first name)
    groups: tuple
    goal_ids: dict  # goal title -> record id

    @property
    def first_name(self):
        return self.story.name.split()[0]

    @property
    def last_day(self):
        return DAYS - 1 if self.story.quiet_after is None else self.story.quiet_after


class Journal:
    """The rows of every collection, for one bulk insert."""

    def __init__(self, rng, today, tz, now):
        self.rng, self.tz, self.now = rng, tz, now
        self.first_day = today - timedelta(days=DAYS - 1)
        self.rows = []  # (collection, row)

    def uid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def date(self, day):
        return self.first_day + timedelta(days=day)

    def at(self, day, hour=None):
        clock = time(hour if hour is not None else self.rng.randint(9, 17),
                     self.rng.randrange(0, 60, 5))
        local = datetime.combine(self.date(day), clock, self.tz)
        return min(local.astimezone(timezone.utc), self.now)  # today's entries: not after now

    def visibility(self, usual):
        if self.rng.random() < 0.6:
            return usual
        return self.rng.choices(VISIBILITY, weights=(5, 4, 2))[0]

    def add(self, collection, writer, day, fields, author_id=None, later=None):
        """Add a record written on ``day``; ``later`` is (day, fields changed by a second write)."""
        model = COLLECTIONS[collection]
        created, rev = self.at(day), self.uid()
        row = {name: None for name in model.FIELDS}
        row.update(fields)
        revs = {name: rev for name in fields}
        row.update(id=profile_id(writer.person_id) if collection == "profile" else self.uid(),
                   learner_id=writer.person_id, deleted=False, conflicts=None,
                   author_id=author_id or writer.person_id, created_at=created,
                   updated_at=created)
        first_visibility = row["visibility"]
        if later:
            when, changes = later
            rev = self.uid()
            row.update(changes, updated_at=max(self.at(min(when, DAYS - 1)), created))
            revs.update({name: rev for name in changes})
        row["revs"] = revs
        # Who may have had a copy: a mentor's entry the learner later hid was the mentor's.
        row["_widest"] = max(first_visibility, row["visibility"], key=VISIBILITY.index)
        self.rows.append((collection, row))
        return row

    def delete(self, row, day):
        """Turn a row into a tombstone, as ``records.delete_record`` does: words cleared."""
        model = COLLECTIONS[next(c for c, r in self.rows if r is row)]
        row.update({name: None for name in model.FIELDS if name != "visibility"}, deleted=True,
                   updated_at=max(self.at(day), row["created_at"]),
                   revs={**row["revs"], DELETED: self.uid()})  # as the sync engine marks one

    def session_days(self):
        return {(r["date"] - self.first_day).days for c, r in self.rows
                if c == "sessions" and not r["deleted"]}

    def insert(self, session):
        """Give every row its change number, in the order they were written, and insert them."""
        self.rows.sort(key=lambda item: (item[1]["updated_at"], item[1]["id"]))
        first = allocate_seqs(len(self.rows))
        by_table = {}
        for n, (collection, row) in enumerate(self.rows):
            row["seq"] = first + n
            by_table.setdefault(collection, []).append(row)
        for collection, rows in by_table.items():
            table = COLLECTIONS[collection].__table__
            for row in rows:
                widest = row.pop("_widest")
                if "widest_visibility" in table.columns:  # the sync engine's, where it has one
                    row["widest_visibility"] = widest
            session.execute(insert(table), rows)
        return {collection: len(rows) for collection, rows in by_table.items()}


def write_journal(journal, writer):
    """Every record of one learner's six weeks."""
    story, rng = writer.story, journal.rng
    journal.add("profile", writer, rng.randint(0, 2), dict(
        zip(("needs", "preferences", "resources", "networks"), story.profile),
        visibility=journal.visibility(story.sharing)))
    for goal in story.goals:
        writer.goal_ids[goal.title] = _goal(journal, writer, goal)
    _sessions(journal, writer)
    for day, kind, what, with_whom in story.contributions:
        usual = "care_team" if kind == "offer" else story.sharing
        journal.add("contributions", writer, day, dict(
            kind=kind, what=what, with_whom=with_whom, date=journal.date(day),
            visibility=journal.visibility(usual)))
    for day, text, consent in story.reflections:
        journal.add("reflections", writer, day, dict(
            date=journal.date(day), text=text, quote_consent=consent,
            visibility=journal.visibility(story.sharing)))
    _checkins(journal, writer)


def fill_gaps(journal, writers):
    """Make sure every one of the six weeks' days has a session: the review's charts start
    on day one."""
    for day in sorted(set(range(DAYS)) - journal.session_days()):
        able = [w for w in writers if day <= w.last_day and _active_goals(w, day)]
        for writer in journal.rng.sample(able, len(able)):
            if solo_session(journal, writer, day, _active_goals(writer, day),
                            {g.name for g in writer.groups}):
                break


def delete_one(journal, writer):
    """One session deleted by its learner: a tombstone, as a device would leave it."""
    rows = [r for c, r in journal.rows if c == "sessions" and r["learner_id"] == writer.person_id
            and r["author_id"] == writer.person_id]
    if rows:
        journal.delete(rows[len(rows) // 2], DAYS - 2)


def _goal(journal, writer, goal):
    fields = dict(title=goal.title, why=goal.why, whose_idea=goal.whose_idea,
                  benefits=list(goal.benefits), status="active",
                  visibility=journal.visibility(writer.story.sharing))
    if goal.gas:
        fields.update(gas_levels=dict(zip(("-2", "-1", "0", "1", "2"), goal.gas)), gas_level=-1)
    changes = {}
    if goal.end is not None:
        changes["status"] = goal.status
        if goal.status == "achieved":
            changes["achieved_on"] = journal.date(goal.end)
    if goal.level is not None and goal.level != -1:
        changes["gas_level"] = goal.level
    when = goal.end if goal.end is not None else journal.rng.randint(goal.start + 7, DAYS - 1)
    return journal.add("goals", writer, goal.start, fields,
                       later=(when, changes) if changes else None)["id"]


def _active_goals(writer, day):
    # Paused and let-go goals were worked on until the day they were put aside.
    return [g for g in writer.story.goals if g.start <= day and (g.end is None or day <= g.end)]


def _sessions(journal, writer):
    rng = journal.rng
    visit_weekday = rng.randrange(7)
    group_names = {group.name for group in writer.groups}
    # Sessions alone make up what visits and groups leave of their usual week.
    usual_others = bool(writer.mentor) + sum(len(g.weekdays) for g in writer.groups) / 2
    solo_chance = max(writer.story.per_week - usual_others, 0.5) / 7
    for day in range(writer.last_day + 1):
        weekday = journal.date(day).weekday()
        goals = _active_goals(writer, day)
        if writer.mentor and weekday == visit_weekday:
            solo_session(journal, writer, day, goals, group_names, with_mentor=True)
        for group in writer.groups:
            linked = [g for g in goals if group.name in g.doing]
            if weekday in group.weekdays and rng.random() < (0.8 if linked else 0.2):
                _group_session(journal, writer, day, group, linked)
        if rng.random() < solo_chance:
            solo_session(journal, writer, day, goals, group_names)


def solo_session(journal, writer, day, goals, group_names, with_mentor=False):
    """A session alone, or with the mentor on their weekly visit, towards one active goal."""
    rng = journal.rng
    choices = [(g, d) for g in goals for d in g.doing if d not in group_names]
    if not choices:
        return None
    goal, doing = rng.choice(choices)
    fields = dict(date=journal.date(day), goal_ids=[writer.goal_ids[goal.title]],
                  benefits=rng.sample(goal.benefits, rng.randint(1, len(goal.benefits))),
                  visibility=journal.visibility(writer.story.sharing))
    fields.update(_faces(rng, writer.story.per_week, writer.story.notes))
    if not with_mentor:
        fields.update(activity=doing, with_whom="alone", minutes=rng.randrange(10, 50, 5))
        return journal.add("sessions", writer, day, fields)
    mentor_id, mentor_first = writer.mentor
    fields.update(activity=f"{doing} with {mentor_first}", with_whom="mentor",
                  minutes=rng.randrange(30, 95, 5))
    if rng.random() < 0.5:
        return journal.add("sessions", writer, day, fields)
    fields.update(visibility="mentor",
                  note=rng.choice(MENTOR_NOTES).format(first=writer.first_name))
    return journal.add("sessions", writer, day, fields, author_id=mentor_id,
                later=_learner_response(rng, writer, day))


def _learner_response(rng, writer, day):
    """The learner agrees with, changes or hides what their mentor wrote; recent ones wait."""
    if day > DAYS - 4:
        return None
    response = rng.choices(("agreed", "changed", "hidden", None), weights=(65, 15, 10, 10))[0]
    if response is None:
        return None
    changes = {"learner_response": response}
    if response == "changed":
        changes["note"] = rng.choice(writer.story.notes)
    if response == "hidden":
        changes["visibility"] = "private"
    return (day + rng.randint(0, 3), changes)


def _group_session(journal, writer, day, group, linked):
    rng = journal.rng
    fields = dict(date=journal.date(day), activity=group.name, with_whom="group",
                  minutes=group.minutes + rng.choice((-15, -5, 0, 0, 0, 10)),
                  benefits=list(group.benefits),
                  goal_ids=[writer.goal_ids[g.title] for g in linked],
                  visibility=journal.visibility(writer.story.sharing))
    fields.update(_faces(rng, writer.story.per_week, writer.story.notes))
    journal.add("sessions", writer, day, fields)


def _faces(rng, per_week, own_notes):
    """How it felt before and after: mostly better, more so for those who do more (the dose
    effect); sometimes left blank, sometimes with a note."""
    if rng.random() < 0.08:
        return {}
    before = rng.choices((1, 2, 3, 4, 5), weights=(1, 5, 9, 4, 1))[0]
    change = rng.choices((-1, 0, 1, 2), weights=(1.5, 3, 4 + per_week, 1 + per_week / 2))[0]
    after = min(5, max(1, before + change))
    faces = {"feeling_before": before, "feeling_after": after}
    if rng.random() < 0.4:
        notes = (NOTES_WORSE if after < before else
                 NOTES_SAME if after == before else NOTES_BETTER + own_notes)
        faces["note"] = rng.choice(notes)
    return faces


def _checkins(journal, writer):
    """The four ONS questions every two to four weeks, drifting gently for the better."""
    rng = journal.rng
    scores = [rng.randint(4, 7), rng.randint(4, 7), rng.randint(4, 7), rng.randint(3, 6)]
    day = rng.randint(0, 4)
    while day <= writer.last_day:
        journal.add("checkins", writer, day, dict(
            zip(("life_satisfaction", "worthwhile", "happy", "anxious"), scores),
            date=journal.date(day), visibility=journal.visibility(writer.story.sharing)))
        scores = [min(10, s + rng.choice((0, 1, 1))) for s in scores[:3]] + [
            max(0, scores[3] - rng.choice((0, 0, 1)))]
        day += rng.randint(14, 28)
