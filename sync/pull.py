"""Building a pull page (docs/sync-protocol.md, "Pull" and "Pages fetched ahead"): the changes a
``Scope`` may see after a cursor, in seq order, with the cursors of the pages after it when the
client asks; it knows nothing of HTTP.
"""
import json
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Mapping

from .cursor import Cursor, visibility_mask
from .errors import CursorExpired, EpochChanged, InvalidRequest
from .protocol import MAX_LIMIT, PROTOCOL_VERSION, PullRequest, PullResponse
from .records import ALL_VISIBILITIES


@dataclass(frozen=True)
class Scope:
    """What the person pulling may see: learner id -> the visibilities they may see of that
    learner's records (a learner sees all of ``VISIBILITIES`` of their own)."""

    learners: Mapping[int, frozenset] = field(default_factory=dict)


def pull(store, scope, request):
    """Return the next page of changes visible to ``scope``, in seq order, as a
    ``PullResponse`` (the page ``pull_page`` answers, read back as a client reads it).

    :param store: a ``Store``.
    :param scope: the ``Scope`` of the person pulling.
    :param request: a ``PullRequest`` or its JSON body.
    :raises: as ``pull_page``.
    """
    return PullResponse.from_wire(json.loads(pull_page(store, scope, request).to_json()))


def pull_page(store, scope, request):
    """Build the next page of changes visible to ``scope``, in seq order, ready to send.

    :param store: a ``Store``.
    :param scope: the ``Scope`` of the person pulling.
    :param request: a ``PullRequest`` or its JSON body.
    :return: a ``PullPage``; its ``to_json()`` is the response body.
    :raises ProtocolTooOld: if the request's protocol is below ``MIN_PROTOCOL_VERSION``.
    :raises InvalidRequest: if the body or its cursor is not valid.
    :raises EpochChanged: if the cursor belongs to another epoch or is ahead of the store.
    :raises CursorExpired: if tombstones the client has not seen were purged.
    """
    if not isinstance(request, PullRequest):
        request = PullRequest.from_wire(request)
    cursor = Cursor.decode(request.cursor) if request.cursor else None
    if cursor is not None and cursor.until:
        return _ahead_page(store, scope, cursor, request)
    after, masks = _starting_points(cursor, scope)
    limit = request.limit
    # the head and the purge mark before the changes (the seq invariant makes the head safe),
    # the purge mark again after them (a purge that committed before them is seen), in one call
    whole = _sees_whole(scope, after)
    began = store.epoch_began() if cursor is None else None
    epoch, top, floor, rows, purged = store.page(after, limit + 1, whole=whole)
    _check_cursor(cursor, epoch, top)
    if _expired(cursor, after, purged):
        raise CursorExpired(details={"purged_through_seq": purged})
    # rows above the head were committed after it was read: a store that reads its tables in
    # statements of their own may have seen one and missed a row committed with it in a table
    # read before; they are left for the next page, which comes at once (docs/sync-protocol.md,
    # "Why a pull never skips a change")
    above = bool(rows) and _seq(rows[-1]) > top  # rows come in seq order
    if above:
        rows = [row for row in rows if _seq(row) <= top]
    full = len(rows) > limit
    more = full or above
    page = rows[:limit]
    reached = _seq(page[-1]) if full else max([top, *map(_seq, page)])
    cursor = Cursor(epoch, _from(after, reached), masks, floor)
    ahead = None
    if request.ahead:
        ahead = _cut_ahead(store, cursor, reached, limit, request.ahead) if more else []
    # a new epoch set between the two reads (a restore while serving): the page says nothing
    epoch_seq = began[1] if began is not None and began[0] == epoch else None
    return PullPage(epoch, _texts(page) if whole else _visible(page, scope), cursor.encode(),
                    more, sorted(scope.learners), reached, ahead=ahead, epoch_seq=epoch_seq)


def _ahead_page(store, scope, cursor, request):
    """The page of a cursor from ``ahead``: every change after it up to its ``until``, for the
    learners it was cut for who are still in scope (one who joined since, or whose sharing
    changed, is pulled from the start by the last, open-ended cursor, whose masks say so)."""
    after = {learner: seq for learner, seq in cursor.seqs.items() if learner in scope.learners}
    whole = _sees_whole(scope, after)
    epoch, top, floor, rows, purged = store.page(after, MAX_LIMIT + 1, until=cursor.until,
                                                 whole=whole)
    _check_cursor(cursor, epoch, top)
    if _expired(cursor, after, purged):
        raise CursorExpired(details={"purged_through_seq": purged})
    if len(rows) > MAX_LIMIT:  # the range was cut at most MAX_LIMIT long, and only shrinks
        raise InvalidRequest("cursor", "is not a cursor this server made")
    masks = {learner: cursor.masks.get(learner, 0) for learner in after}
    return PullPage(epoch, _texts(rows) if whole else _visible(rows, scope),
                    Cursor(epoch, _from(after, cursor.until), masks, floor).encode(), True,
                    sorted(scope.learners), cursor.until, ahead=[] if request.ahead else None)


def _from(after, reached):
    """The seq each learner's pull goes on from, once a page reached ``reached``."""
    return {learner: max(seq, reached) for learner, seq in after.items()}


def _cut_ahead(store, cursor, reached, limit, count):
    """The cursors of up to ``count`` pages after one that reached ``reached``: each but the
    last ends at the seq of every ``limit``-th change after it, read now, or at the last change
    read when there is at least one such run and all of them fit in the runs, so it holds at
    most ``limit`` changes; the last is an ordinary cursor.

    :param cursor: the cursor after the page, with the masks and purge mark it read.
    """
    room = limit * (count - 1)
    following = store.seqs(cursor.seqs, room + 1)
    ends = [reached, *following[limit - 1:room:limit]]
    if len(ends) > 1 and len(following) <= room and ends[-1] != following[-1]:
        # the runs can take all that follows: the last, asked for once the others are read,
        # then brings only what commits meanwhile, and no one waits for a full page at the end.
        # With no full run, what follows is left to the last alone: one round trip, not two
        ends.append(following[-1])
    cursors = [Cursor(cursor.epoch, _from(cursor.seqs, begin), cursor.masks, cursor.purged,
                      until=end) for begin, end in zip(ends, ends[1:])]
    cursors.append(Cursor(cursor.epoch, _from(cursor.seqs, ends[-1]), cursor.masks,
                          cursor.purged))
    return [c.encode() for c in cursors]


_seq = itemgetter(0)  # a row's seq, also of a plain tuple in its order


def _sees_whole(scope, after):
    """Whether the puller sees every record of the learners pulled as it is (a learner's own
    journal): the page then has nothing to decide record by record (``WholeRow``)."""
    return all(scope.learners[learner] >= ALL_VISIBILITIES for learner in after)


def _texts(rows):
    """The wire texts of a page's ``WholeRow``s."""
    return [row[-1] for row in rows]


def _visible(rows, scope):
    """The wire texts of a page's rows, as this puller may see them. A row is read by position,
    so a store may give plain tuples in ``ChangeRow``'s order."""
    changes = []
    for seq, learner_id, _, _, visibility, widest, text in rows:
        visible = scope.learners[learner_id]
        if visibility in visible:
            changes.append(text)
        elif (widest or visibility) in visible:
            # it could have reached this puller once: it leaves their device
            record = json.loads(text)
            changes.append(json.dumps({"collection": record["collection"], "id": record["id"],
                                       "learner_id": learner_id, "seq": seq,
                                       "removed": True}, separators=(",", ":")))
        # else it never left the learner's own sight: not even mentioned to anyone else
    return changes


@dataclass
class PullPage:
    """A pull response whose changes are already JSON, as text or as its UTF-8 bytes:
    ``to_bytes`` joins them into the body without decoding a record again (``PullResponse`` is
    the same message, decoded)."""

    epoch: str
    changes: list
    cursor: str
    more: bool
    scope: list
    through: int
    protocol: int = PROTOCOL_VERSION
    ahead: list | None = None
    epoch_seq: int | None = None  # on a pull from the start: the seq the epoch began at

    def to_json(self):
        """Return the response body as JSON text."""
        return self.to_bytes().decode()

    def to_bytes(self, before=b"", after=b""):
        """Return the response body as UTF-8 JSON, between ``before`` and ``after``, copied
        once: each change given as text is encoded on its own, and all joined in one go. A page
        of a thousand records is the API's largest body; joined as text, then concatenated
        and encoded, it was copied four times (docs/performance.md, item 20)."""
        head = {"protocol": self.protocol, "epoch": self.epoch, "cursor": self.cursor,
                "more": self.more, "scope": self.scope, "through": self.through}
        if self.ahead is not None:
            head["ahead"] = self.ahead
        if self.epoch_seq is not None:
            head["epoch_seq"] = self.epoch_seq
        head = before + json.dumps(head, separators=(",", ":")).encode()[:-1] + b',"changes":['
        parts = [text if isinstance(text, bytes) else text.encode()
                 for text in self.changes] or [b""]
        parts[0] = head + parts[0]
        parts[-1] += b"]}" + after
        return b",".join(parts)


def _starting_points(cursor, scope):
    """Return the seq to pull after and the visibility mask, per learner in scope."""
    masks = {learner: visibility_mask(seen) for learner, seen in scope.learners.items()}
    if cursor is None:
        return dict.fromkeys(scope.learners, 0), masks
    after = {learner: cursor.seqs.get(learner, 0) if cursor.masks.get(learner) == mask else 0
             for learner, mask in masks.items()}
    return after, masks


def _expired(cursor, after, purged):
    """Whether tombstones this client has not seen may have been purged: the purge mark rose
    past the cursor's (a purge ran since the client's last page was read) and past a learner's
    seq. A pull from the start is never expired, nor are the pages after it while no purge runs:
    the tombstones purged before it began were gone before it read, so it holds nothing they
    would have removed."""
    if cursor is None or purged <= cursor.purged:
        return False
    return any(0 < seq < purged for seq in after.values())


def _check_cursor(cursor, epoch, top):
    """Raise ``EpochChanged`` if ``cursor`` was not made by this store as it now is."""
    if cursor is None:
        return
    if cursor.epoch != epoch:
        raise EpochChanged(details={"epoch": epoch, "reason": "another epoch"})
    if cursor.until > top or any(seq > top for seq in cursor.seqs.values()):
        # a restore that kept the epoch: the store is behind what this client saw
        raise EpochChanged(details={"epoch": epoch, "reason": "cursor ahead of the server"})
