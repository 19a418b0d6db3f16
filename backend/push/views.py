"""Reminders by web push: the server's public key, a person's subscriptions and choices, and
the visits a mentor plans (so that they can be reminded the day before)."""
from flask import Blueprint, g

from ..apidoc import documented, public
from ..auth.tokens import auth_required
from ..errors import json_body
from ..extensions import db
from ..responses import committed
from . import subscriptions, vapid
from .cli import init_keys, send_due
from .schemas import (KeyOut, RemindersIn, SubscriptionIn, SubscriptionOut, SubscriptionsOut,
                      VisitIn, VisitOut, VisitsOut)

bp = Blueprint("push", __name__, url_prefix="/api/push", cli_group="push")
bp.cli.add_command(init_keys)
bp.cli.add_command(send_due)
# The key pair is made on first start (not on the first subscription), so that every process
# started after this one reads the same pair from the instance folder.
bp.record_once(lambda state: vapid.ensure(state.app))


@bp.get("/key")
@public
@documented(response=KeyOut, public=True)
def key():
    """The server's VAPID public key, for ``pushManager.subscribe``."""
    return KeyOut().dump({"public_key": vapid.public_key()})


@bp.get("/subscriptions")
@auth_required
@documented(response=SubscriptionsOut)
def list_subscriptions():
    """My reminder subscriptions (each device where I said yes), and the kinds I can have."""
    return committed(SubscriptionsOut(), {"kinds": subscriptions.kinds_for(g.person),
                                          "items": subscriptions.mine(g.person)})


@bp.post("/subscriptions")
@auth_required
@documented(body=SubscriptionIn, response=SubscriptionOut, status=201)
def subscribe():
    """Say yes to reminders on this device (again: the same endpoint is updated)."""
    data = SubscriptionIn().load(json_body())
    return committed(SubscriptionOut(), subscriptions.subscribe(g.person, g.token, data), 201)


@bp.get("/subscriptions/<int:subscription_id>")
@auth_required
@documented(response=SubscriptionOut)
def get_subscription(subscription_id):
    """One of my reminder subscriptions."""
    return committed(SubscriptionOut(), subscriptions.one_of_mine(g.person, subscription_id))


@bp.patch("/subscriptions/<int:subscription_id>")
@auth_required
@documented(body=RemindersIn, response=SubscriptionOut)
def change_subscription(subscription_id):
    """Change which reminders, the days, the time or the timezone; or switch them all off."""
    choices = RemindersIn().load(json_body())
    sub = subscriptions.one_of_mine(g.person, subscription_id)
    return committed(SubscriptionOut(), subscriptions.choose(g.person, sub, choices))


@bp.delete("/subscriptions/<int:subscription_id>")
@auth_required
@documented(status=204)
def delete_subscription(subscription_id):
    """Stop reminders on that device and forget its subscription."""
    subscriptions.remove(g.person, subscription_id)
    db.session.commit()
    return "", 204


@bp.get("/visits")
@auth_required
@documented(response=VisitsOut)
def list_visits():
    """My learners and the next visit planned with each (mentors)."""
    return committed(VisitsOut(), {"items": subscriptions.planned_visits(g.person)})


@bp.put("/visits/<int:learner_id>")
@auth_required
@documented(body=VisitIn, response=VisitOut)
def plan_visit(learner_id):
    """Plan my next visit to a learner, or clear it with null (mentors)."""
    data = VisitIn().load(json_body())
    return committed(VisitOut(), subscriptions.plan_visit(g.person, learner_id,
                                                          data["next_visit_on"]))
