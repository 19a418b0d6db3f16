"""``flask review snapshot --month YYYY-MM``: prepare a month's review by hand; and the
``flask scheduler`` command, registered with the review's blueprint."""
import click

from ..extensions import db
from ..jobs import previous_month
from ..models import Organisation
from ..scheduler import scheduler_command
from . import snapshot
from .period import month_period
from .views import bp


def _month(_ctx, _param, value):
    try:
        month_period(value, None)
    except ValueError:
        raise click.BadParameter("give a month as YYYY-MM, e.g. 2026-10") from None
    return value


@bp.cli.command("snapshot")
@click.option("--month", default=previous_month, callback=_month, show_default="last month",
              help="The month to prepare, YYYY-MM.")
@click.option("--organisation", type=int, help="Only this organisation (its id).")
def snapshot_command(month, organisation):
    """Prepare a month's review snapshot and the "review is ready" notice (as the monthly job
    does); running it again for the same month changes nothing."""
    if organisation is None:
        done = snapshot.prepare_all(month)
    else:
        org = db.session.get(Organisation, organisation) if 0 < organisation < 2**31 else None
        if org is None:
            raise click.ClickException(f"There is no organisation with id {organisation}.")
        done = [(org, *snapshot.prepare(org, month))]
    for org, snap, made in done:
        how = "prepared" if made else "already prepared"
        click.echo(f"{org.name}: the review of {month} {how} (snapshot {snap.id}).")


bp.record_once(lambda state: state.app.cli.add_command(scheduler_command))
