"""Who may see and write what: the one place the access rules live.

Visibility is a ladder, each rung including the narrower ones:
``private`` (only the learner), ``mentor`` (the learner and their paired mentors),
``care_team`` (also the staff of the learner's organisation). Nobody else sees anything.
"""
from sqlalchemy import select

from .extensions import db
from .models import Pairing, Person

ALL = frozenset({"private", "mentor", "care_team"})
MENTOR = frozenset({"mentor", "care_team"})
CARE_TEAM = frozenset({"care_team"})
NONE = frozenset()

# What a mentor may write in a paired learner's journal: they log visits.
MENTOR_WRITABLE = frozenset({"sessions"})


def is_paired(mentor_id, learner_id):
    stmt = select(Pairing.id).where(Pairing.mentor_id == mentor_id,
                                    Pairing.learner_id == learner_id,
                                    Pairing.ended_at.is_(None))
    return db.session.execute(stmt).first() is not None


def paired_learner_ids(mentor_id, active=False):
    """The learners paired with the mentor (``active``: only those not marked as left)."""
    stmt = select(Pairing.learner_id).where(Pairing.mentor_id == mentor_id,
                                            Pairing.ended_at.is_(None))
    if active:
        stmt = stmt.join(Person, Person.id == Pairing.learner_id).where(Person.active.is_(True))
    return set(db.session.scalars(stmt))


def visible_levels(viewer, learner):
    """The visibility values of ``learner``'s records that ``viewer`` may read."""
    if learner is None or learner.role != "learner" or not learner.active:
        return NONE
    if viewer.id == learner.id:
        return ALL
    if viewer.role == "mentor" and is_paired(viewer.id, learner.id):
        return MENTOR
    if viewer.role == "staff" and viewer.organisation_id == learner.organisation_id:
        return CARE_TEAM
    return NONE


def can_see_person(viewer, person):
    """Whether ``viewer`` may know that ``person`` exists (names, tiles, pairings)."""
    if viewer.id == person.id:
        return True
    if viewer.role == "staff":
        return viewer.organisation_id == person.organisation_id
    if viewer.role == "mentor" and person.role == "learner":
        return is_paired(viewer.id, person.id)
    return False


def sync_scope(person):
    """{learner_id: visibility levels} a person's devices hold. Staff read online only."""
    if person.role == "learner":
        return {person.id: ALL}
    if person.role == "mentor":  # a learner marked as left shows to no one (visible_levels)
        return {lid: MENTOR for lid in paired_learner_ids(person.id, active=True)}
    return {}


def write_refusal(actor, learner, collection, existing):
    """None when ``actor`` may write this record of ``learner``, else the reason why not.

    :param existing: the record as stored, or None for a new one
    """
    if learner is None or learner.role != "learner":
        return "there is no such learner"
    if not learner.active:  # said as it is only to whoever may know she was here
        return "this learner is marked as having left" if actor.id == learner.id or (
            actor.role == "mentor" and is_paired(actor.id, learner.id)) \
            else "there is no such learner"
    if actor.id == learner.id:
        return None
    if actor.role == "mentor" and is_paired(actor.id, learner.id):
        if collection not in MENTOR_WRITABLE:
            return "a mentor can only log sessions in a learner's journal"
        if existing is not None and existing.author_id != actor.id:
            return "a mentor can only change entries they wrote"
        if existing is not None and existing.visibility == "private":
            return "the learner has hidden this entry"
        return None
    return "only the learner, or a paired mentor logging a session, can write here"


def field_refusal(actor, learner, values, existing=None):
    """None when ``actor`` may set these field values in ``learner``'s journal, else
    (field, reason). Who sees an entry and the answer to a mentor's entry are the learner's
    own say: a mentor's new entry is shared with the mentor (the default), never wider or
    hidden, and a mentor never changes who sees an entry after (the learner may have shared it
    with the care team).

    :param existing: the record as stored, or None for a new one
    """
    if actor.id == learner.id:
        if values.get("learner_response") == "hidden" and values.get(
                "visibility", "private" if existing is None else existing.visibility) != "private":
            # hiding an entry is making it private: said alone, it would hide nothing
            return "visibility", "a hidden entry is private: send 'private' with it"
        return None
    if "visibility" in values and values["visibility"] != (
            "mentor" if existing is None else existing.visibility):
        return "visibility", "only the learner chooses who else sees an entry"
    if "learner_response" in values:
        return "learner_response", "only the learner can answer a mentor's entry"
    return None


def may_act_for(actor, learner):
    """Whether ``actor`` may use the learner's rights (export everything, erase): the learner
    themself, or an administrator of their organisation acting on their behalf."""
    if learner is None or learner.role != "learner":
        return False
    return actor.id == learner.id or (actor.role == "staff" and actor.is_admin
                                      and actor.organisation_id == learner.organisation_id)


def require_staff(person, organisation_id=None, admin=False):
    """Raise forbidden unless ``person`` is staff (an administrator) of the organisation."""
    from .errors import ApiError

    if person.role != "staff" or (organisation_id is not None
                                  and person.organisation_id != organisation_id):
        raise ApiError("forbidden", "Only staff of this organisation can do this.")
    if admin and not person.is_admin:
        raise ApiError("forbidden", "Only an administrator of this organisation can do this.")


def learner_or_404(learner_id):
    from .errors import ApiError

    learner = db.session.get(Person, learner_id)
    if learner is None or learner.role != "learner":
        raise ApiError("not_found", "There is no such learner.")
    return learner
