"""Staff set up their organisation: people, mentor pairings, tablets; and read its audit log."""
from flask import Blueprint, g, request

from ..apidoc import documented
from ..auth.schemas import PersonOut
from ..auth.tokens import auth_required
from ..errors import json_body
from ..responses import committed
from . import audit, people, setup
from .schemas import (AuditPageOut, AuditQuery, DeviceIn, DevicesOut, EnrolledOut, LearnersOut,
                      MentorsOut,
                      OrganisationOut, PairingIn, PairingOut, PairingsOut, PeopleOut, PeopleQuery,
                      PersonIn, PersonPatch, DeviceOut, ReadersOut, ReadersQuery, ReadersSeenIn)

bp = Blueprint("org", __name__, url_prefix="/api")


@bp.get("/organisation")
@auth_required
@documented(response=OrganisationOut)
def organisation():
    """The signed-in person's organisation."""
    return committed(OrganisationOut(), g.person.organisation)


@bp.get("/people")
@auth_required
@documented(query=PeopleQuery, response=PeopleOut)
def list_people():
    """The people of my organisation (staff)."""
    query = PeopleQuery().load(request.args.to_dict())
    return committed(PeopleOut(), {"items": people.list_people(g.person, query.get("role"))})


@bp.post("/people")
@auth_required
@documented(body=PersonIn, response=PersonOut, status=201,
            errors={409: "The email is already in use"})
def create_person():
    """Add a learner, mentor or member of staff (administrators)."""
    data = PersonIn().load(json_body())
    return committed(PersonOut(), people.create(g.person, data), 201)


@bp.get("/people/<int:person_id>")
@auth_required
@documented(response=PersonOut)
def get_person(person_id):
    """One person of my organisation (staff)."""
    return committed(PersonOut(), people.in_my_organisation(g.person, person_id))


@bp.patch("/people/<int:person_id>")
@auth_required
@documented(body=PersonPatch, response=PersonOut)
def update_person(person_id):
    """Change a person's name, PIN, opting out, or whether they are active (administrators)."""
    data = PersonPatch().load(json_body())
    return committed(PersonOut(), people.update(g.person, person_id, data))


@bp.post("/people/<int:person_id>/unlock")
@auth_required
@documented(response=PersonOut)
def unlock_person(person_id):
    """Lift a lockout after too many wrong tries (staff; administrators for mentors, staff)."""
    return committed(PersonOut(), people.unlock(g.person, person_id))


@bp.get("/pairings")
@auth_required
@documented(response=PairingsOut)
def list_pairings():
    """The mentor pairings of my organisation, active first (staff)."""
    return committed(PairingsOut(), {"items": setup.list_pairings(g.person)})


@bp.post("/pairings")
@auth_required
@documented(body=PairingIn, response=PairingOut, status=201,
            errors={409: "These two are already paired"})
def create_pairing():
    """Pair a mentor with a learner (administrators)."""
    data = PairingIn().load(json_body())
    return committed(PairingOut(), setup.pair(g.person, data["mentor_id"], data["learner_id"]), 201)


@bp.post("/pairings/<int:pairing_id>/end")
@auth_required
@documented(response=PairingOut)
def end_pairing(pairing_id):
    """End a pairing: the mentor no longer sees the learner's journal (administrators)."""
    return committed(PairingOut(), setup.end_pairing(g.person, pairing_id))


@bp.get("/devices")
@auth_required
@documented(response=DevicesOut)
def list_devices():
    """The tablets enrolled for my organisation (staff)."""
    return committed(DevicesOut(), {"items": setup.list_devices(g.person)})


@bp.post("/devices")
@auth_required
@documented(body=DeviceIn, response=EnrolledOut, status=201)
def enrol_device():
    """Enrol a tablet; the response shows its key once (administrators)."""
    data = DeviceIn().load(json_body())
    device, raw = setup.enrol(g.person, data["name"])
    return committed(EnrolledOut(), {"device": device, "device_key": raw}, 201)


@bp.post("/devices/<int:device_id>/revoke")
@auth_required
@documented(response=DeviceOut)
def revoke_device(device_id):
    """Revoke a tablet and every sign-in on it (administrators)."""
    return committed(DeviceOut(), setup.revoke_device(g.person, device_id))


@bp.get("/audit")
@auth_required
@documented(query=AuditQuery, response=AuditPageOut)
def audit_log():
    """The audit log of my organisation, newest first, a page at a time (administrators)."""
    query = AuditQuery().load(request.args.to_dict())
    return committed(AuditPageOut(), audit.page(g.person, query["page"], query["per_page"],
                                                query.get("learner_id")))


@bp.get("/me/mentors")
@auth_required
@documented(response=MentorsOut)
def my_mentors():
    """My mentors, past and present (a learner): who wrote the visits in my journal."""
    return committed(MentorsOut(), {"items": people.my_mentors(g.person)})


@bp.get("/me/readers")
@auth_required
@documented(query=ReadersQuery, response=ReadersOut)
def my_readers():
    """Who on the staff read or downloaded my journal, newest first (a learner)."""
    query = ReadersQuery().load(request.args.to_dict())
    return committed(ReadersOut(), audit.readers(g.person, query["limit"]))


@bp.post("/me/readers/seen")
@auth_required
@documented(body=ReadersSeenIn, response=ReadersOut)
def my_readers_seen():
    """I have been shown who read my journal up to ``through`` (a learner): those reads are no
    longer new, and my home page stops telling me of them. Later ones stay new."""
    data = ReadersSeenIn().load(json_body())
    return committed(ReadersOut(), audit.readers_seen(g.person, data["through"]))


@bp.get("/me/learners")
@auth_required
@documented(response=LearnersOut)
def my_learners():
    """The learners I work with: a mentor's paired learners, or my organisation's (staff)."""
    return committed(LearnersOut(), {"items": people.my_learners(g.person)})
