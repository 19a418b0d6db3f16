"""The audit log: who read or changed what. Entries name people by id and never hold journal
content, so that they can outlive an erased learner (``people.erase``)."""
from sqlalchemy import exists, func, select

from .. import access
from ..errors import ApiError
from ..extensions import db
from ..models import AuditEntry, Person

ERASED = "erase_journal"
# what a learner is shown of the log: the staff reads of their journal, and its downloads
READS = ("read_journal", "export_journal", "review_named_quiet")


def write(actor, action, learner_id=None, **detail):
    """Add an entry to ``actor``'s organisation's log, in the caller's transaction."""
    db.session.add(AuditEntry(organisation_id=actor.organisation_id, actor_id=actor.id,
                              action=action, learner_id=learner_id, detail=detail))


def write_unattributed(organisation_id, by, action, learner_id=None, **detail):
    """Add an entry no signed-in person made, saying what made it (``by``: "command line",
    "restore"), in the caller's transaction."""
    db.session.add(AuditEntry(organisation_id=organisation_id, actor_id=None, action=action,
                              learner_id=learner_id, detail={**detail, "by": by}))


def erased_ids():
    """The ids of erased learners, as a subquery: their anonymous stubs answer 404."""
    return select(AuditEntry.learner_id).where(AuditEntry.action == ERASED,
                                               AuditEntry.learner_id.is_not(None))


def is_erased(person_id):
    return db.session.scalar(select(exists(erased_ids().where(
        AuditEntry.learner_id == person_id))))


def page(actor, page_no, per_page, learner_id=None):
    """One page of the organisation's log, newest first, for its administrators."""
    access.require_staff(actor, admin=True)
    stmt = select(AuditEntry).where(AuditEntry.organisation_id == actor.organisation_id)
    if learner_id is not None:
        stmt = stmt.where(AuditEntry.learner_id == learner_id)
    total, entries = _newest(stmt, per_page, (page_no - 1) * per_page)
    names = _names(({e.actor_id for e in entries} | {e.learner_id for e in entries}) - {None})
    items = [{"id": e.id, "at": e.at, "actor_id": e.actor_id, "actor_name": names.get(e.actor_id),
              "action": e.action, "learner_id": e.learner_id,
              "learner_name": names.get(e.learner_id), "detail": e.detail or {}}
             for e in entries]
    return {"items": items, "page": page_no, "per_page": per_page, "total": total}


def readers(actor, limit):
    """The newest ``limit`` staff reads and downloads of the signed-in learner's journal, how
    many there are in all, and how many came after the newest she was shown (each of those is
    ``new``): who, when, and what (never an entry's content)."""
    stmt, seen = _reads_of(actor), actor.readers_seen_at
    reads = stmt.subquery()
    later = func.count() if seen is None else func.count().filter(reads.c.at > seen)
    total, unseen = db.session.execute(select(func.count(), later).select_from(reads)).one()
    entries = _newest_page(stmt, limit) if limit else []
    names = _names({e.actor_id for e in entries} - {None})
    return {"total": total, "unseen": unseen,
            "items": [_read(e, names.get(e.actor_id), seen) for e in entries]}


def readers_seen(actor, through):
    """The learner has been shown the reads of her journal up to ``through`` (the time of the
    newest she was shown): later ones stay new. The mark never goes back.

    :returns: what ``readers`` answers, with no items.
    """
    _learner_only(actor)
    if actor.readers_seen_at is None or through > actor.readers_seen_at:
        actor.readers_seen_at = through
    return readers(actor, 0)


def _learner_only(actor):
    if actor.role != "learner":
        raise ApiError("forbidden", "Only a learner is shown who read their journal.")


def _reads_of(actor):
    """The staff reads and downloads of the signed-in learner's journal, as a statement."""
    _learner_only(actor)
    return select(AuditEntry).where(AuditEntry.learner_id == actor.id,
                                    AuditEntry.action.in_(READS))


def _newest(stmt, limit, offset=0):
    """How many entries ``stmt`` selects, and ``limit`` of them from ``offset``, newest first."""
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    return total, _newest_page(stmt, limit, offset)


def _newest_page(stmt, limit, offset=0):
    return db.session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                              .limit(limit).offset(offset)).all()


def _read(entry, who, seen):
    """An entry of the log as its learner is shown it: no id but hers, no content; ``new`` if
    it came after ``seen``, the newest she was shown (None: none yet)."""
    detail = entry.detail or {}
    return {"at": entry.at, "new": seen is None or entry.at > seen, "who": who,
            "action": entry.action,
            "collection": detail.get("collection"), "one_entry": "record_id" in detail,
            "count": detail.get("count"), "format": detail.get("format")}


def _names(ids):
    if not ids:
        return {}
    return dict(db.session.execute(select(Person.id, Person.display_name)
                                   .where(Person.id.in_(ids))).all())
