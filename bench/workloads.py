"""The four workloads of issue 3, written once against a "side" (ours or Kinto).

A side has ``learners(n)`` and ``device(learner)``; a device has ``write([(id, fields)])``
(queue them as that side's client keeps a person's writes until a sync, untimed),
``send(written)`` (one push request, raising if any record was not stored, returning its
seconds), ``push(batch)`` (the two), ``pull(page)`` (everything since its last pull, returning
(count, [seconds per request])) and ``sync(written, page)`` (push and pull as that side's own
client syncs, returning [seconds per request]). Times are wall clock around the client's whole
exchange, the same code for both sides.
"""
import statistics
import threading
import time

from .records import changed, make_records


def median_ms(seconds):
    return statistics.median(seconds) * 1000


def percentile_ms(seconds, p):
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


class Journal:
    """One learner's records as pushed by one device: what the later workloads start from."""

    def __init__(self, learner, writer, records):
        self.learner, self.writer, self.records = learner, writer, records
        self.edits = 0


def push_many(side, count, batch):
    """(1) One device pushes ``count`` new records in batches of ``batch``: records/s."""
    [learner] = side.learners(1)
    writer = side.device(learner)
    records = make_records(count, seed=1)
    # written before the sync, as a person writes before the device syncs: the timed part is
    # each client's push of its outbox (encoding, the request, taking in the answer)
    outbox = [writer.write(records[i:i + batch]) for i in range(0, count, batch)]
    start = time.perf_counter()
    for written in outbox:
        writer.send(written)
    seconds = time.perf_counter() - start
    return {"records": count, "batch": batch, "seconds": seconds,
            "records_per_s": count / seconds}, Journal(learner, writer, records)


def fresh_pull(side, journal, page):
    """A fresh device of the journal's learner pulls everything, ``page`` records a request
    (None: in one response).

    :returns: (seconds of the whole pull, number of requests).
    """
    device = side.device(journal.learner)
    start = time.perf_counter()
    count, requests = device.pull(page)
    seconds = time.perf_counter() - start
    device.close()
    if count != len(journal.records):
        raise RuntimeError(f"pulled {count} records, expected {len(journal.records)}")
    return seconds, len(requests)


def in_turns(setups, rounds, run, what):
    """Run ``run(*setup)`` for each of ``setups`` ({key: setup}), round by round in turn, so a
    machine whose load drifts weighs on every key alike.

    :returns: {key: [what each round returned]}, or {key: {"error": ...}} for a key that
        failed (it is not run again).
    """
    got, failed = {key: [] for key in setups}, {}
    for _ in range(rounds):
        for key, setup in setups.items():
            if key not in failed:
                try:
                    got[key].append(run(*setup))
                except Exception as exc:
                    failed[key] = {"error": f"{what}: {exc!r}"}
    return {**got, **failed}


def full_pulls(setups, repeats):
    """(2) for several sides and page sizes at once, ``setups`` being {key: (side, journal,
    page)}: a fresh device each, in turns (``in_turns``). The median of ``repeats`` fresh
    devices per key."""
    out = in_turns(setups, repeats, fresh_pull, "(2) full pull")
    return {key: got if isinstance(got, dict) else
            {"records": len(setups[key][1].records), "page": setups[key][2],
             "requests": got[-1][1], "ms": median_ms([t for t, _ in got]),
             "all_ms": [t * 1000 for t, _ in got]}
            for key, got in out.items()}


def reader_for(side, journal, page):
    """A second device of the learner, caught up with everything stored."""
    reader = side.device(journal.learner)
    reader.pull(page)
    return reader


def incremental_round(journal, reader, changes, page):
    """One round of (3): the writer changes ``changes`` records not changed before, then the
    reader pulls them. Returns the seconds of the pull."""
    first = journal.edits
    edited = [(rid, changed(fields, first + i)) for i, (rid, fields)
              in enumerate(journal.records[first:first + changes])]
    journal.edits += changes
    journal.writer.push(edited)
    start = time.perf_counter()
    count, _ = reader.pull(page)
    seconds = time.perf_counter() - start
    if count != changes:
        raise RuntimeError(f"pulled {count} changes, expected {changes}")
    return seconds


def incremental_pulls(setups, changes, rounds):
    """(3) for several stores at once, ``setups`` being {key: (journal, reader, page)}, in turns
    (``in_turns``). The median of ``rounds`` per store."""
    out = in_turns(setups, rounds, lambda journal, reader, page: incremental_round(
        journal, reader, changes, page), "(3) incremental pull")
    return {key: got if isinstance(got, dict) else
            {"changes": changes, "rounds": rounds, "ms": median_ms(got),
             "best_ms": min(got) * 1000, "all_ms": [round(t * 1000, 2) for t in got]}
            for key, got in out.items()}


def many_devices(side, devices, rounds, per_push, page, budget=180):
    """(4) ``devices`` devices, each a different learner, sync at once: each round is a sync
    of ``per_push`` new records (pushed, then everything new pulled, as each side's client
    does it). Latency is per sync (push + pull) and per request.
    No round starts after ``budget`` seconds; a device still busy then counts as an error."""
    learners = side.learners(devices)
    barrier = threading.Barrier(devices + 1)
    syncs, requests, errors, lock = [], [], [], threading.Lock()
    deadline = [None]

    def run(n, learner):
        device = side.device(learner)
        device.client.timeout = budget / 2
        records = make_records(rounds * per_push, seed=1000 + n)
        outbox = [device.write(records[r * per_push:(r + 1) * per_push]) for r in range(rounds)]
        barrier.wait()
        for r in range(rounds):
            if time.perf_counter() > deadline[0]:
                with lock:
                    errors.append("round not started: time budget spent")
                continue
            try:
                start = time.perf_counter()
                times = device.sync(outbox[r], page)
                took = time.perf_counter() - start
                with lock:
                    syncs.append(took)
                    requests.extend(times)
            except Exception as exc:  # counted and reported: the target is "no error"
                with lock:
                    errors.append(repr(exc)[:300])
        device.close()

    # Daemons: a server that hangs must not keep the benchmark from reporting it.
    threads = [threading.Thread(target=run, args=(n, learner), daemon=True)
               for n, learner in enumerate(learners)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    deadline[0] = start + budget
    barrier.wait()
    for thread in threads:
        thread.join(max(0.0, start + budget * 1.5 - time.perf_counter()))
    wall = time.perf_counter() - start
    hung = sum(t.is_alive() for t in threads)
    with lock:
        done, errors = len(syncs), errors + ["device still waiting at the end"] * hung
        syncs, requests = list(syncs), list(requests)
    return {"devices": devices, "rounds": rounds, "per_push": per_push, "seconds": wall,
            "syncs": done, "syncs_per_s": done / wall, "records_per_s": done * per_push / wall,
            "p50_ms": percentile_ms(syncs, 50) if syncs else None,
            "p95_ms": percentile_ms(syncs, 95) if syncs else None,
            "request_p50_ms": percentile_ms(requests, 50) if requests else None,
            "request_p95_ms": percentile_ms(requests, 95) if requests else None,
            "errors": len(errors), "error_samples": sorted(set(errors))[:5]}
