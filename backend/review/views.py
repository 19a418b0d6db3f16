"""The regular review for staff: figures, CSV exports, stored monthly reviews, and the one
named list (learners gone quiet), whose every name is audited.

Who may see what is decided in ``service`` (staff of the organisation only); every figure is
made and suppressed in ``figures`` and ``suppression``; these views only parse and answer.
"""
from flask import Blueprint, g, request

from ..apidoc import documented
from ..auth.tokens import auth_required
from ..responses import committed
from . import csv_export, service, snapshot
from .schemas import (CsvQuery, OrganisationQuery, QuietOut, ReviewOut, ReviewQuery,
                      SnapshotOut, SnapshotsOut)

bp = Blueprint("review", __name__, url_prefix="/api", cli_group="review")


@bp.get("/review")
@auth_required
@documented(query=ReviewQuery, response=ReviewOut)
def review():
    """The review of my organisation for a period (staff): objective and subjective figures,
    co-production, the dose effect and equity, every figure from fewer than 5 learners
    suppressed."""
    query = ReviewQuery().load(request.args.to_dict())
    return committed(ReviewOut(), service.review(g.person, query.get("organisation"),
                                                 query.get("first"), query.get("last")))


@bp.get("/review.csv")
@auth_required
@documented(query=CsvQuery, content="text/csv")
def review_csv():
    """One table of the review, or of a stored review, as CSV (staff), suppressed alike."""
    query = CsvQuery().load(request.args.to_dict())
    if "snapshot" in query:
        doc = snapshot.get_for(g.person, query["snapshot"]).figures
    else:
        doc = service.review(g.person, query.get("organisation"), query.get("first"),
                             query.get("last"))
    body = csv_export.render(doc, query["table"])
    service.commit()
    name = csv_export.filename(doc, query["table"])
    return body, 200, {"Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
                       "Content-Disposition": f'attachment; filename="{name}"'}


@bp.get("/review/snapshots")
@auth_required
@documented(query=OrganisationQuery, response=SnapshotsOut)
def snapshots():
    """The monthly reviews stored for my organisation, newest first (staff)."""
    query = OrganisationQuery().load(request.args.to_dict())
    return committed(SnapshotsOut(), {"items": snapshot.list_for(g.person,
                                                                 query.get("organisation"))})


@bp.get("/review/snapshots/<int:snapshot_id>")
@auth_required
@documented(response=SnapshotOut)
def one_snapshot(snapshot_id):
    """One stored monthly review, as it was prepared (staff)."""
    return committed(SnapshotOut(), snapshot.get_for(g.person, snapshot_id))


@bp.get("/review/quiet")
@auth_required
@documented(query=OrganisationQuery, response=QuietOut)
def quiet():
    """Learners with nothing written for 14 days who share entries with the care team, by
    name (staff). Each name shown is written to the audit log; their journals open through
    the journal endpoints, which audit every staff read."""
    query = OrganisationQuery().load(request.args.to_dict())
    return committed(QuietOut(), service.quiet_named(g.person, query.get("organisation")))


from . import cli  # noqa: E402,F401  (registers ``flask review ...`` and ``flask scheduler``)
