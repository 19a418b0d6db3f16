"""``flask push``: make the VAPID key pair, and send what is due now (without the scheduler)."""
import json
import os

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete

from ..extensions import db
from ..models import PushSubscription
from . import vapid


@click.command("init-keys")
@with_appcontext
@click.option("--replace", is_flag=True,
              help="Make a new pair: every device has to say yes to reminders again.")
def init_keys(replace):
    """Make the server's VAPID key pair in the instance folder (once; mode 0600)."""
    config = current_app.config
    if config.get("VAPID_PRIVATE_KEY"):
        raise click.ClickException("VAPID_PRIVATE_KEY is set in the configuration; "
                                   "it is used instead of a key file.")
    path = config["VAPID_FILE"]
    if replace and os.path.exists(path):
        click.confirm("Every reminder subscription will be removed. Go on?", abort=True)
        os.unlink(path)
        # A subscription is bound to the old public key: pushes signed with a new one fail.
        db.session.execute(delete(PushSubscription))
        db.session.commit()
    made = vapid.write_new(path)
    click.echo(f"{'Made a new' if made else 'Kept the existing'} VAPID key pair in {path}.")
    with open(path) as stored:
        click.echo(f"Public key: {json.load(stored)['public_key']}")


@click.command("send-due")
@with_appcontext
def send_due():
    """Send the reminders that have come due now, once (the scheduler does this every minute)."""
    from .jobs import send_due_reminders

    done = send_due_reminders()
    click.echo(", ".join(f"{n} {status}" for status, n in sorted(done.items())) or "Nothing due.")
