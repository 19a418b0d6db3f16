"""The journal over plain REST: list, read, create, change and delete entries; and the
learner's rights: download all of it, and have it erased.

Who may do what is decided in ``records`` and ``backend.access``; these views only parse,
call and answer.
"""
import uuid

from flask import Blueprint, g
from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from ..apidoc import documented
from ..auth.tokens import auth_required
from ..errors import ApiError, json_body
from ..extensions import db
from ..org import people
from . import export, records, writes
from .export import ExportOut, RecordOut, RecordsOut
from .schemas import profile_id

bp = Blueprint("journal", __name__, url_prefix="/api/learners")
# what a change or a delete of an entry may be refused with, for the state the entry is in
GONE = {409: "The entry was deleted meanwhile, or belongs to another learner"}


class NewRecordIn(Schema):
    """A new entry: its collection's fields (see ``backend/journal/schemas.py``) and, if the
    device made one, its UUID ``id`` (a profile's is always the learner's ``profile_id``, given
    when none is sent)."""

    class Meta:
        unknown = INCLUDE  # the collection's fields, checked by ``records.write_record``

    id = fields.UUID()


class RecordPatchIn(Schema):
    """The fields to change, of the entry's collection."""

    class Meta:
        unknown = INCLUDE

    @validates_schema
    def _not_empty(self, data, **_kw):
        if not data:
            raise ValidationError("give at least one field to change", "_schema")


class EraseIn(Schema):
    confirm = fields.String(required=True, validate=validate.Length(min=1, max=120),
                            metadata={"description": "the learner's name, as shown"})


class ErasedOut(Schema):
    learner_id = fields.Integer()
    entries_deleted = fields.Integer()


def _learner(learner_id, collection):
    records.model_for(collection)  # an unknown collection is a 404 before anything else
    return records.learner_for(g.person, learner_id)


def _record_id(raw):
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ApiError("not_found", "There is no such entry.") from None


@bp.get("/<int:learner_id>/<collection>")
@auth_required
@documented(response=RecordsOut)
def list_records(learner_id, collection):
    """The entries of a learner's journal that I may see, oldest first."""
    learner = _learner(learner_id, collection)
    found = records.read_records(g.person, learner, collection)
    db.session.commit()
    return export.dump_records(collection, found)


@bp.post("/<int:learner_id>/<collection>")
@auth_required
@documented(body=NewRecordIn, response=RecordOut, status=201,
            errors={409: "An entry with this id already exists"})
def create_record(learner_id, collection):
    """Add an entry to a learner's journal (the learner; a paired mentor logs sessions)."""
    learner = _learner(learner_id, collection)
    data = NewRecordIn().load(json_body())
    record_id = str(data.pop("id", None) or (
        profile_id(learner.id) if collection == "profile" else uuid.uuid4()))
    record = writes.write_record(g.person, learner, collection, record_id, data, True)
    db.session.commit()
    return export.dump_record(collection, record), 201


@bp.get("/<int:learner_id>/<collection>/<record_id>")
@auth_required
@documented(response=RecordOut)
def get_record(learner_id, collection, record_id):
    """One entry of a learner's journal, if I may see it."""
    learner = _learner(learner_id, collection)
    record = records.read_record(g.person, learner, collection, _record_id(record_id))
    db.session.commit()
    return export.dump_record(collection, record)


@bp.patch("/<int:learner_id>/<collection>/<record_id>")
@auth_required
@documented(body=RecordPatchIn, response=RecordOut, errors=GONE)
def update_record(learner_id, collection, record_id):
    """Change some fields of an entry."""
    learner = _learner(learner_id, collection)
    data = RecordPatchIn().load(json_body())
    record = writes.write_record(g.person, learner, collection, _record_id(record_id), data,
                                  False)
    db.session.commit()
    return export.dump_record(collection, record)


@bp.delete("/<int:learner_id>/<collection>/<record_id>")
@auth_required
@documented(response=RecordOut, errors=GONE)
def delete_record(learner_id, collection, record_id):
    """Delete an entry: it becomes an empty tombstone that other devices sync."""
    learner = _learner(learner_id, collection)
    record = writes.delete_record(g.person, learner, collection, _record_id(record_id))
    db.session.commit()
    return export.dump_record(collection, record)


@bp.get("/<int:learner_id>/export.json")
@auth_required
@documented(response=ExportOut)
def export_json(learner_id):
    """Download all of a learner's journal as JSON (the learner, or an administrator)."""
    learner = records.learner_for_rights(g.person, learner_id)
    doc = export.export_json(g.person, learner)
    db.session.commit()
    return doc, 200, {"Content-Disposition": f'attachment; filename="journal-{learner.id}.json"',
                      "Cache-Control": "no-store"}


@bp.get("/<int:learner_id>/export.html")
@auth_required
@documented(content="text/html")
def export_html(learner_id):
    """All of a learner's journal as a printable page (the learner, or an administrator)."""
    learner = records.learner_for_rights(g.person, learner_id)
    page = export.export_html(g.person, learner)
    db.session.commit()
    return page, 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                       # the page loads nothing: no scripts, fonts or images from anywhere
                       "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}


@bp.post("/<int:learner_id>/erase")
@auth_required
@documented(body=EraseIn, response=ErasedOut)
def erase(learner_id):
    """Erase a learner's journal for good (the learner, or an administrator for them).

    "Have it deleted" means erasure under UK GDPR article 17, not a hidden flag. Deleted at
    once and for good: every journal entry (their own and those mentors wrote about them,
    tombstones too), their sign-ins, PIN, pairings, and the sync bookkeeping that holds their
    words (replicas, stored mutations). Kept: an anonymous stub of the person ("Erased
    learner", no email, PIN or password, inactive, opted out of totals) so that their number
    is never given to someone else, and the audit log, which names people by number and
    never holds journal content. An inspector can therefore still see who read this journal
    and when, and that it was erased, by whom and when, but nothing of what it said. Reviews
    already prepared keep their anonymous totals (groups under five were never shown); later
    reviews no longer count this person. Devices forget the journal on their next contact:
    the learner's sign-ins are gone, and it leaves mentors' devices with the pairing.
    The journal is the learner's own record, not the home's care record, so no retention
    duty overrides the request. Export first if a copy is wanted: this cannot be undone.
    """
    learner = records.learner_for_rights(g.person, learner_id)
    data = EraseIn().load(json_body())
    result = people.erase(g.person, learner, data["confirm"])
    db.session.commit()
    return ErasedOut().dump(result)
