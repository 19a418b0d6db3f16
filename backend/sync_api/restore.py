"""After a restore from backup: what took access away since is made again from the access log,
what gave access since is named for a person to make again, and a new epoch tells devices to
re-send what the server lost (docs/deployment.md, "Restoring")."""
import os
import uuid

from sqlalchemy import update

from .. import access_log
from ..extensions import db
from ..models import SyncState


def start_new_epoch():
    """Set and return a new random epoch, which begins at the seq the database holds now."""
    epoch = str(uuid.uuid4())
    db.session.execute(update(SyncState).where(SyncState.id == 1).values(
        epoch=epoch, epoch_seq=SyncState.seq))
    db.session.commit()
    return epoch


BY_HAND = ("Not in the access log, to do again by hand if they came after the backup: pairings "
           "made, tablets enrolled, people added or made active again, and PINs and passwords "
           "changed (docs/deployment.md, 'Restoring').")


def redo_access_changes(path):
    """Make again the changes of the access log at ``path`` that the database lacks
    (``access_log.replay``).

    :returns: the lines that tell the operator what was made again, and what was not.
    """
    if not path or not os.path.exists(path):
        return [f"There is no access log{f' at {path}' if path else ' (ACCESS_LOG is empty)'}: "
                "end again by hand the pairings ended since the backup, revoke again the "
                "tablets revoked since, make inactive again the people made inactive since, "
                "and erase again the learners erased since (docs/deployment.md, 'Restoring').",
                BY_HAND]
    done, given, unreadable = access_log.replay(path)
    lines = [f"Made again from the access log ({path}), {_changes(done)} this database lacked:"
             if done else f"The access log ({path}) holds no change this database lacks."]
    lines += [f"  - {said}" for said in done]
    if given:
        lines.append(f"Access given since the backup, not in this database: {_changes(given)} "
                     "to make again by hand, if still wanted (docs/deployment.md, 'Restoring'):")
        lines += [f"  - {said}" for said in given]
    else:
        lines.append("The access log holds no access given since the backup that this "
                     "database lacks.")
    if unreadable:
        numbers = ", ".join(map(str, unreadable))
        lines.append(f"Lines {numbers} of the access log could not be read; they were skipped."
                     if len(unreadable) > 1 else
                     f"Line {numbers} of the access log could not be read; it was skipped.")
    return lines


def _changes(said):
    """How many ``said`` holds, in words: "1 change", "3 changes"."""
    return f"{len(said)} change{'' if len(said) == 1 else 's'}"
