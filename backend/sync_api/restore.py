"""After a restore from backup: a new epoch tells devices to re-send what the server lost."""
import uuid

from sqlalchemy import update

from ..extensions import db
from ..models import SyncState


def start_new_epoch():
    """Set and return a new random epoch."""
    epoch = str(uuid.uuid4())
    db.session.execute(update(SyncState).where(SyncState.id == 1).values(epoch=epoch))
    db.session.commit()
    return epoch
