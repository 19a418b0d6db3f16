"""How journal entries leave the server: the API's record shape, a learner's whole journal as
JSON, and the same as a readable page in plain English that prints well."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import render_template
from marshmallow import INCLUDE, Schema, fields
from sqlalchemy import select

from ..extensions import db
from ..models import COLLECTIONS, Pairing, Person
from ..models.types import utcnow
from . import records
from .schemas import FIELD_SCHEMAS


class RecordMeta(Schema):
    """What every entry carries besides its own fields."""

    id = fields.String(metadata={"description": "a UUID, made by the client or the server"})
    learner_id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    seq = fields.Integer(metadata={"description": "the server's change number"})
    deleted = fields.Boolean()
    conflicts = fields.Dict(metadata={"description": "versions kept by a sync conflict"})


class RecordOut(RecordMeta):
    """An entry: these fields and those of its collection (see the collection's schema)."""

    class Meta:
        unknown = INCLUDE  # in the OpenAPI document: the collection's own fields come too

    visibility = fields.String(metadata={"enum": ["private", "mentor", "care_team"]})


class RecordsOut(Schema):
    items = fields.List(fields.Nested(RecordOut))


def _record_schema(name, fields_cls):
    return type(f"{fields_cls.__name__.removesuffix('Fields')}Record", (RecordMeta, fields_cls),
                {"__doc__": f"An entry of {name}."})


RECORD_OUT = {name: _record_schema(name, cls) for name, cls in FIELD_SCHEMAS.items()}


def dump_record(collection, record):
    return RECORD_OUT[collection]().dump(records.to_dict(record))


def dump_records(collection, found):
    schema = RECORD_OUT[collection]()
    return {"items": [schema.dump(records.to_dict(r)) for r in found]}


class ExportPersonOut(Schema):
    id = fields.Integer()
    display_name = fields.String()
    organisation = fields.Function(lambda p: p.organisation.name)
    created_at = fields.DateTime()
    has_pin = fields.Boolean()
    opted_out = fields.Boolean()
    active = fields.Boolean()


class ExportMentorOut(Schema):
    mentor_name = fields.Function(lambda p: p.mentor.display_name)
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)


class ExportOut(Schema):
    """Everything of a learner's: who they are, their mentors, and every live entry."""

    format = fields.String()
    exported_at = fields.DateTime()
    person = fields.Nested(ExportPersonOut)
    mentors = fields.List(fields.Nested(ExportMentorOut))
    authors = fields.Dict(keys=fields.String(), values=fields.String(),
                          metadata={"description": "names of the authors of entries, by id"})
    profile = fields.List(fields.Nested(RECORD_OUT["profile"]))
    goals = fields.List(fields.Nested(RECORD_OUT["goals"]))
    sessions = fields.List(fields.Nested(RECORD_OUT["sessions"]))
    contributions = fields.List(fields.Nested(RECORD_OUT["contributions"]))
    reflections = fields.List(fields.Nested(RECORD_OUT["reflections"]))
    checkins = fields.List(fields.Nested(RECORD_OUT["checkins"]))


def _gather(learner):
    journal = {name: records.all_records(learner, name) for name in COLLECTIONS}
    author_ids = {r.author_id for found in journal.values() for r in found} | {
        v.get("author_id") for found in journal.values() for r in found
        for versions in (r.conflicts or {}).values() for v in versions} - {None}
    authors = dict(db.session.execute(select(Person.id, Person.display_name)
                                      .where(Person.id.in_(author_ids))).all())
    pairings = db.session.scalars(select(Pairing).where(Pairing.learner_id == learner.id)
                                  .order_by(Pairing.started_at)).all()
    return journal, authors, pairings


def _audit_staff_export(actor, learner, fmt):
    if actor.role == "staff":
        from ..org import audit

        audit.write(actor, "export_journal", learner_id=learner.id, format=fmt)


def export_json(actor, learner):
    """The learner's whole journal, their private entries too, as one JSON document."""
    _audit_staff_export(actor, learner, "json")
    journal, authors, pairings = _gather(learner)
    doc = {"format": "what-matters-journal/1", "exported_at": utcnow(), "person": learner,
           "mentors": pairings, "authors": {str(k): v for k, v in authors.items()},
           **{name: [records.to_dict(r) for r in found] for name, found in journal.items()}}
    return ExportOut().dump(doc)


def export_html(actor, learner):
    """The learner's whole journal as a page to read or print: plain English headings, large
    type, inline styles and nothing fetched from anywhere."""
    _audit_staff_export(actor, learner, "html")
    journal, authors, _ = _gather(learner)
    zone = ZoneInfo(learner.organisation.timezone or "Europe/London")
    goal_titles = {g.id: g.title for g in journal["goals"] if g.title}
    sections = [_section(name, found, learner, authors, goal_titles, zone)
                for name, found in journal.items()]
    return render_template("export.html", learner=learner,
                           organisation=learner.organisation.name,
                           downloaded=_day(utcnow().astimezone(zone).date()),
                           sections=sections)


# The printable page: plain English for every heading, field and value (PRODUCT.md's words).
SECTIONS = {
    "profile": ("What matters to me", "Nothing written here yet."),
    "goals": ("My goals", "No goals yet."),
    "sessions": ("What I have done", "No sessions yet."),
    "contributions": ("What I have shared with others", "Nothing here yet."),
    "reflections": ("My reflections, in my own words", "No reflections yet."),
    "checkins": ("How I have been feeling", "No check-ins yet."),
}
FIELD_LABELS = {
    "needs": "My needs", "preferences": "My preferences", "resources": "My own resources",
    "networks": "My networks and community", "why": "Why it matters",
    "whose_idea": "Whose idea it was", "status": "Where it stands",
    "benefits": "What it helps with", "gas_levels": "How I will know how it is going",
    "gas_level": "How it is going now", "achieved_on": "Achieved on", "minutes": "How long",
    "with_whom": "With whom", "goal_ids": "Goals it served", "feeling_before": "How I felt before",
    "feeling_after": "How I felt after", "note": "My note", "learner_response": "My answer",
    "kind": "What kind", "date": "When", "text": "In my own words",
    "quote_consent": "The review may quote this without my name",
    "life_satisfaction": "How satisfied I am with my life nowadays",
    "worthwhile": "How worthwhile the things I do in my life feel",
    "happy": "How happy I felt yesterday", "anxious": "How anxious I felt yesterday",
    "visibility": "Who can see this",
}
VALUE_LABELS = {
    "visibility": {"private": "Only me", "mentor": "Me and my mentor",
                   "care_team": "Me, my mentor and my care team"},
    "whose_idea": {"suggested": "Suggested to me", "agreed": "We agreed together",
                   "own": "My own idea"},
    "status": {"active": "Working on it", "achieved": "Achieved", "paused": "Paused",
               "let_go": "Let go"},
    "with_whom": {"alone": "On my own", "mentor": "With my mentor", "group": "In a group"},
    "kind": {"shared": "Something I shared", "taught": "Something I taught",
             "helped": "Something I helped with", "offer": "Learn from me: a skill I can share"},
    "learner_response": {"agreed": "I agreed with it", "changed": "I changed it",
                         "hidden": "I hid it"},
    "benefits": {"new_things": "Learning new things", "body_active": "Keeping the body active",
                 "world": "Learning about the world", "mind_active": "Keeping the mind active",
                 "creative": "Being creative", "life_story": "Reflecting on my life",
                 "independence": "Keeping my independence",
                 "everyday_skills": "Skills for everyday life",
                 "understanding_others": "Understanding other people",
                 "contributing": "Contributing and feeling useful"},
}
FACES = {1: "Very low", 2: "Low", 3: "In between", 4: "Good", 5: "Very good"}
GAS = {"-2": "Much less than I hoped", "-1": "A bit less than I hoped", "0": "What I hoped",
       "1": "A bit more than I hoped", "2": "Much more than I hoped"}
SCORES = ("life_satisfaction", "worthwhile", "happy", "anxious")


def _day(value):
    return f"{value:%A} {value.day} {value:%B %Y}"


def _value(name, value, goal_titles):
    """One field's value in words, or None to leave the line out."""
    if value is None or value == [] or value == {} or value == "":
        return None
    if name in ("date", "achieved_on"):
        return _day(value)
    if name in ("feeling_before", "feeling_after"):
        return FACES.get(value, str(value))
    if name in SCORES:
        return f"{value} out of 10"
    if name == "minutes":
        return f"{value} minutes"
    if name == "quote_consent":
        return "Yes" if value else "No"
    if name == "gas_level":
        return GAS.get(str(value), str(value))
    if name == "gas_levels":
        levels = sorted(value.items(), key=lambda kv: int(kv[0]))
        return "\n".join(f"{GAS.get(k, k)}: {v}" for k, v in levels)
    if name == "goal_ids":
        return "\n".join(goal_titles.get(i, "A goal no longer in the journal") for i in value)
    words = VALUE_LABELS.get(name, {})
    if isinstance(value, list):
        return ", ".join(words.get(v, str(v)) for v in value)
    return words.get(value, str(value))


def _title(collection, record, zone):
    written = _day(record.created_at.astimezone(zone).date())
    if collection == "goals":
        return record.title or "A goal"
    if collection == "sessions":
        return f"{_day(record.date) if record.date else written}: {record.activity or 'A session'}"
    if collection == "contributions":
        return record.what or "A contribution"
    if collection == "profile":
        return f"Written on {written}"
    return _day(record.date) if record.date else f"Written on {written}"


def _entry(collection, record, learner, authors, goal_titles, zone):
    # The title already says these; who may see it comes last, after the words.
    skip = {"title", "activity", "what", "visibility"} | (
        {"date"} if collection != "contributions" else set())
    rows = [(FIELD_LABELS.get(name, name), _value(name, value, goal_titles))
            for name, value in record.field_values().items() if name not in skip]
    if record.author_id not in (None, learner.id):
        rows.append(("Written by", authors.get(record.author_id, "Someone no longer here")))
    for name, versions in (record.conflicts or {}).items():
        rows.extend(_other_version(name, v, learner, authors, goal_titles, zone)
                    for v in versions)
    rows.append((FIELD_LABELS["visibility"], _value("visibility", record.visibility, {})))
    return {"title": _title(collection, record, zone),
            "rows": [(label, value) for label, value in rows if value is not None]}


def _other_version(name, version, learner, authors, goal_titles, zone):
    """A version kept beside the entry's own (changed in two places, or deleted in one), as a
    line of the page: who wrote it and on what day, then the words."""
    author = version.get("author_id")
    who = "me" if author == learner.id else authors.get(author, "someone no longer here")
    try:
        when = f" on {_day(datetime.fromisoformat(version['at']).astimezone(zone).date())}"
    except (KeyError, TypeError, ValueError):
        when = ""
    if name == "_deleted":
        return ("Deleted in another place", f"Deleted by {who}{when} while it was being "
                "changed in another place, so it was kept until I decide")
    return (f"Another version of \"{FIELD_LABELS.get(name, name)}\", written by {who}{when}",
            _value(name, version.get("value"), goal_titles) or "Left empty")


def _section(collection, found, learner, authors, goal_titles, zone):
    title, empty = SECTIONS[collection]
    return {"title": title, "empty": empty,
            "entries": [_entry(collection, r, learner, authors, goal_titles, zone)
                        for r in found]}
