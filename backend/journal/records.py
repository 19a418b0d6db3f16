"""Reading and writing journal records under the access rules of ``backend.access``."""
from sqlalchemy import delete, select, update

from .. import access
from ..errors import ApiError
from ..extensions import db
from ..models import COLLECTIONS, Person, SyncState


def model_for(collection):
    model = COLLECTIONS.get(collection)
    if model is None:
        raise ApiError("not_found", f"There is no collection called {collection!r}.")
    return model


def allocate_seqs(count):
    """Reserve ``count`` change numbers; returns the first. The row lock this takes is held
    until commit, so writers commit in seq order (docs/sync-protocol.md, "Why pull never skips")."""
    stmt = (update(SyncState).where(SyncState.id == 1)
            .values(seq=SyncState.seq + count).returning(SyncState.seq))
    last = db.session.execute(stmt).scalar_one()
    return last - count + 1


def visible_query(viewer, learner, collection, include_deleted=False):
    model = model_for(collection)
    levels = access.visible_levels(viewer, learner)
    stmt = (select(model).where(model.learner_id == learner.id, model.visibility.in_(levels))
            .order_by(model.created_at, model.id))
    if not include_deleted:
        stmt = stmt.where(model.deleted.is_(False))
    return stmt


def learner_for(viewer, learner_id):
    """The active learner ``learner_id`` if ``viewer`` may know of them, else ``not_found``:
    another organisation's learner looks exactly like an id that was never used."""
    learner = db.session.get(Person, learner_id) if 0 < learner_id < 2**31 else None
    if (learner is None or learner.role != "learner" or not learner.active
            or not access.can_see_person(viewer, learner)):
        raise ApiError("not_found", "There is no such learner.")
    return learner


def learner_for_rights(actor, learner_id):
    """The learner whose rights (export, erase) ``actor`` would use: ``not_found`` for those
    who may not know of them, ``forbidden`` for those who may but cannot act for them.
    A deactivated learner (moved away) still has these rights; an erased one is gone."""
    from ..org import audit

    learner = db.session.get(Person, learner_id) if 0 < learner_id < 2**31 else None
    if (learner is None or learner.role != "learner" or audit.is_erased(learner.id)
            or not access.can_see_person(actor, learner)):
        raise ApiError("not_found", "There is no such learner.")
    if not access.may_act_for(actor, learner):
        raise ApiError("forbidden", "Only the learner, or an administrator acting for them, "
                                    "can do this.")
    return learner


def _audit_staff_read(viewer, learner, collection, **detail):
    # Every staff read of a named journal is logged; learners and mentors read unlogged.
    if viewer.role == "staff":
        from ..org import audit

        audit.write(viewer, "read_journal", learner_id=learner.id, collection=collection,
                    **detail)


def read_records(viewer, learner, collection):
    """The entries ``viewer`` may see, as they read them: a staff read is audited."""
    found = list_records(viewer, learner, collection)
    _audit_staff_read(viewer, learner, collection, count=len(found))
    return found


def read_record(viewer, learner, collection, record_id):
    record = get_record(viewer, learner, collection, record_id)
    _audit_staff_read(viewer, learner, collection, record_id=record.id)
    return record


def all_records(learner, collection):
    """Every live entry of ``learner``'s, private ones too: only for their export, after
    ``access.may_act_for`` said yes."""
    model = model_for(collection)
    stmt = (select(model).where(model.learner_id == learner.id, model.deleted.is_(False))
            .order_by(model.created_at, model.id))
    return db.session.scalars(stmt).all()


def erase_journal(learner):
    """Hard-delete every entry of ``learner``'s, tombstones too; returns how many went.
    Not a write through ``write_record``: nothing is left to sync (see the erase view)."""
    count = 0
    for model in COLLECTIONS.values():
        result = db.session.execute(delete(model).where(model.learner_id == learner.id))
        count += result.rowcount
    return count


def list_records(viewer, learner, collection):
    return db.session.scalars(visible_query(viewer, learner, collection)).all()


def get_record(viewer, learner, collection, record_id):
    model = model_for(collection)
    record = db.session.get(model, record_id)
    if (record is None or record.learner_id != learner.id or record.deleted
            or record.visibility not in access.visible_levels(viewer, learner)):
        raise ApiError("not_found", "There is no such entry.")
    return record


def to_dict(record):
    """A record as the API shows it."""
    return {"id": record.id, "learner_id": record.learner_id, "author_id": record.author_id,
            "created_at": record.created_at, "updated_at": record.updated_at,
            "deleted": record.deleted, "seq": record.seq, "conflicts": record.conflicts or {},
            **record.field_values()}
