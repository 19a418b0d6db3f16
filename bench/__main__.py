"""``python -m bench [--quick] [--only sqlite|postgresql]``: run every workload against our
server and Kinto, print the tables, save the JSON under ``bench-results/``."""
import argparse
import gc
import sys
import time
import traceback
from contextlib import ExitStack

from . import report, servers
from .kinto import KintoSide
from .ours import OursSide
from .workloads import full_pulls, incremental_pulls, many_devices, push_many, reader_for

FULL = {"records": 10_000, "batch": 1_000, "full_repeats": 5, "changes": 100, "rounds": 15,
        "big": 1_000_000, "big_learners": 2_000, "devices": 50, "device_rounds": 5,
        "per_push": 10}
QUICK = {"records": 2_000, "batch": 1_000, "full_repeats": 3, "changes": 100, "rounds": 5,
         "big": 100_000, "big_learners": 200, "devices": 50, "device_rounds": 2, "per_push": 10}
PEERS = {"sqlite": "memory", "postgresql": "postgresql"}
PAGE = {"ours": 1000, "kinto": None}  # each side's natural pull: ours pages, Kinto need not
FULL_PAGES = {"ours": (1000,), "kinto": (None, 1000)}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Run:
    """One backend kind: both servers up at once, each workload run on Kinto then on ours
    back to back, so a machine shared with other work loads both sides alike; the pulls of (2)
    and (3) take turns round by round. Workload (3) also has a second server of ours whose
    store is filled to a million records."""

    def __init__(self, kind, sizes, sides, big, checkpoint):
        self.kind, self.sizes, self.sides, self.big = kind, sizes, sides, big
        self.checkpoint = checkpoint
        self.result = {"ours_label": f"Ours ({kind})", "kinto_label": f"Kinto ({PEERS[kind]})",
                       "ours": {}, "kinto": {}}
        self.journals, self.readers = {}, {}

    def step(self, title, key, work, sides=None):
        """Run ``work(name, side)`` for each side still standing; store what it returns."""
        for name, side in (sides or self.sides).items():
            out = self.result[name]
            if "error" in out:
                continue
            log(f"{self.result[name + '_label']}: {title}")
            try:
                value = work(name, side)
            except Exception as exc:
                traceback.print_exc()
                out["error"] = f"{title}: {exc!r}"
                log(f"  failed: {exc!r}")
                continue
            if value is not None:
                target = out
                for part in key[:-1]:
                    target = target.setdefault(part, {})
                target[key[-1]] = value
            self.checkpoint()

    def all(self):
        s = self.sizes
        n = f"{s['records']:,}"
        self.step(f"(1) one device pushes {n} records", ("push",), self._push)
        self._full_pulls()
        self.step("(3) a second device catches up", ("caught_up",), self._catch_up)
        big = self._prepare_big()
        self._incremental(big)
        self.step(f"(4) {s['devices']} devices at once", ("devices",),
                  lambda name, side: many_devices(side, s["devices"], s["device_rounds"],
                                                  s["per_push"], PAGE[name]))
        return self.result

    def _push(self, name, side):
        out, self.journals[name] = push_many(side, self.sizes["records"], self.sizes["batch"])
        side.settle()  # the pulls then meet a database as it runs, not one just bulk-loaded
        return out

    def _full_pulls(self):
        s = self.sizes
        log(f"(2) fresh devices pull {s['records']:,}, round by round: Kinto unpaged and at "
            f"1,000 a page, ours")
        setups = {(name, page): (side, self.journals[name], page)
                  for name, side in self.sides.items() if "error" not in self.result[name]
                  for page in FULL_PAGES[name]}
        for (name, page), value in full_pulls(setups, s["full_repeats"]).items():
            self.result[name].setdefault("full_pull", {})[str(page) if page else "unpaged"] = value
        self.checkpoint()

    def _catch_up(self, name, side):
        self.readers[name] = reader_for(side, self.journals[name], PAGE[name])
        return True

    def _prepare_big(self):
        """Our second store: the same learner's records pushed through the API, then filled to
        ``big`` records with SQL; None if that failed."""
        s, ours = self.sizes, self.result["ours"]
        if "error" in ours:
            return None
        log(f"Ours ({self.kind}), second store: push {s['records']:,}, fill to {s['big']:,}")
        try:
            _, journal = push_many(self.big, s["records"], s["batch"])
            reader = reader_for(self.big, journal, PAGE["ours"])
            ours["fill"] = self.big.fill(journal, s["big"], s["big_learners"])
            return journal, reader
        except Exception as exc:
            traceback.print_exc()
            ours["fill"] = {"error": repr(exc)}
            return None
        finally:
            self.checkpoint()

    def _incremental(self, big):
        s = self.sizes
        log(f"(3) incremental pulls, round by round: Kinto and ours at {s['records']:,} "
            f"stored, ours at {s['big']:,}")
        setups = {name: (self.journals[name], self.readers[name], PAGE[name])
                  for name in self.sides if "error" not in self.result[name]}
        if big is not None:
            setups["ours_big"] = (*big, PAGE["ours"])
        for key, value in incremental_pulls(setups, s["changes"], s["rounds"]).items():
            name, size = ("ours", "big") if key == "ours_big" else (key, "small")
            self.result[name].setdefault("incremental", {})[size] = value
        self.checkpoint()


def run_kind(kind, sizes, work, results, checkpoint):
    with ExitStack() as stack:
        sides = {}
        try:
            kinto = stack.enter_context(servers.kinto_server(PEERS[kind], work))
            sides["kinto"] = KintoSide(kinto)
            server, database = stack.enter_context(servers.ours_server(kind, work))
            sides["ours"] = OursSide(server, database)
            stack.callback(sides["ours"].close)
            server, database = stack.enter_context(servers.ours_server(kind, work))
            big = OursSide(server, database)
            stack.callback(big.close)
        except Exception as exc:
            traceback.print_exc()
            results[kind] = {"ours_label": f"Ours ({kind})", "kinto_label": PEERS[kind],
                             "ours": {"error": repr(exc)}, "kinto": {"error": repr(exc)}}
            return
        run = Run(kind, sizes, sides, big, checkpoint)
        results[kind] = run.result
        run.all()


def quiet_collector():
    """Tune this process's garbage collector as our server's workers are tuned
    (``backend.gunicorn_conf``): the devices' clients keep every record they pulled, and with
    the default threshold the collector walked them all again and again in the middle of the
    timed requests, a pause that grew with what a client holds, not with either server."""
    from backend.gunicorn_conf import GC_THRESHOLD

    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--only", choices=sorted(PEERS), help="one backend kind")
    parser.add_argument("--out", default=str(servers.ROOT / "bench-results"),
                        help="where to save the JSON results")
    args = parser.parse_args(argv)
    quiet_collector()
    sizes = dict(QUICK if args.quick else FULL, quick=args.quick)
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    results, saved = {}, report.Saver(args.out, sizes)
    with servers.workdir() as work:
        for kind in kinds:
            run_kind(kind, sizes, work, results, lambda: saved.save(results))
    day = time.strftime("%Y-%m-%d")
    for kind, result in results.items():
        print(f"\n{result['ours_label']} vs {result['kinto_label']}, {day}"
              f"{' (quick sizes)' if args.quick else ''}\n")
        print(report.table(result, sizes))
        for side in ("ours", "kinto"):
            if "error" in result[side]:
                print(f"\n{result[side + '_label']} failed at {result[side]['error']}")
    verdicts = report.verdicts(results, sizes)
    print(f"\nTargets: {sum(p for _, _, p in verdicts)} of {len(verdicts)} pass")
    for kind, label, passed in verdicts:
        print(f"  {'PASS' if passed else 'FAIL'}  {kind}: {label}")
    print(f"\nSaved {saved.save(results)}")
    return 0 if verdicts and all(p for _, _, p in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
