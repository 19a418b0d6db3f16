"""``python -m bench [--quick] [--only sqlite|postgresql]``: run every workload against our
server and Kinto, print the tables, save the JSON under ``bench-results/``."""
import argparse
import sys
import time
import traceback

from . import report, servers
from .kinto import KintoSide
from .ours import OursSide
from .workloads import full_pull, incremental_pull, many_devices, push_many, reader_for

FULL = {"records": 10_000, "batch": 1_000, "changes": 100, "rounds": 7, "big": 1_000_000,
        "big_learners": 2_000, "devices": 50, "device_rounds": 5, "per_push": 20}
QUICK = {"records": 2_000, "batch": 1_000, "changes": 100, "rounds": 5, "big": 100_000,
         "big_learners": 200, "devices": 50, "device_rounds": 2, "per_push": 10}
PEERS = {"sqlite": "memory", "postgresql": "postgresql"}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_side(side, sizes, page, full_pages, fill=None):
    """Every workload against one running server; ``fill`` grows the store for workload 3."""
    out = {}
    log(f"{side.name}: (1) pushing {sizes['records']:,} records")
    out["push"], journal = push_many(side, sizes["records"], sizes["batch"])
    log(f"{side.name}: (2) fresh devices pulling {sizes['records']:,}")
    out["full_pull"] = {str(p) if p else "unpaged": full_pull(side, journal, p)
                        for p in full_pages}
    log(f"{side.name}: (3) incremental pulls at {sizes['records']:,} stored")
    reader = reader_for(side, journal, page)
    out["incremental"] = {"small": incremental_pull(journal, reader, sizes["changes"],
                                                    sizes["rounds"], page)}
    log(f"{side.name}: (4) {sizes['devices']} devices at once")
    out["devices"] = many_devices(side, sizes["devices"], sizes["device_rounds"],
                                  sizes["per_push"], page)
    if fill is not None:
        log(f"{side.name}: filling the store to {sizes['big']:,} records")
        out["fill"] = fill(journal, sizes["big"], sizes["big_learners"])
        log(f"{side.name}: (3) incremental pulls at {sizes['big']:,} stored")
        out["incremental"]["big"] = incremental_pull(journal, reader, sizes["changes"],
                                                     sizes["rounds"], page)
    return out


def guarded(name, run):
    try:
        return run()
    except Exception as exc:
        traceback.print_exc()
        log(f"{name} failed: {exc!r}")
        return {"error": repr(exc)}


def run_kind(kind, sizes, work):
    result = {"ours_label": f"Ours ({kind})", "kinto_label": f"Kinto ({PEERS[kind]})"}

    def peer():
        with servers.kinto_server(PEERS[kind], work) as server:
            return run_side(KintoSide(server), sizes, None, (None, 1000))

    def ours():
        database = servers.OursDatabase(kind, work)
        server = servers.start_ours(database, work)
        side = OursSide(server, database)
        try:
            return run_side(side, sizes, 1000, (1000,), fill=side.fill)
        finally:
            side.close()
            server.stop()
            database.drop()

    result["kinto"] = guarded(f"Kinto ({PEERS[kind]})", peer)
    result["ours"] = guarded(f"ours ({kind})", ours)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--only", choices=sorted(PEERS), help="one backend kind")
    parser.add_argument("--out", default=str(servers.ROOT / "bench-results"),
                        help="where to save the JSON results")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL, quick=args.quick)
    kinds = [args.only] if args.only else ["sqlite", "postgresql"]
    results = {}
    with servers.workdir() as work:
        for kind in kinds:
            results[kind] = run_kind(kind, sizes, work)
    for kind, result in results.items():
        print(f"\n{result['ours_label']} vs {result['kinto_label']}, "
              f"{time.strftime('%Y-%m-%d')}{' (quick sizes)' if args.quick else ''}\n")
        print(report.table(result, sizes))
        for side in ("ours", "kinto"):
            if "error" in result[side]:
                print(f"\n{side} failed: {result[side]['error']}")
    verdicts = report.verdicts(results, sizes)
    print(f"\nTargets: {sum(p for _, _, p in verdicts)} of {len(verdicts)} pass")
    for kind, label, passed in verdicts:
        print(f"  {'PASS' if passed else 'FAIL'}  {kind}: {label}")
    print(f"\nSaved {report.save(results, sizes, args.out)}")
    return 0 if all(p for _, _, p in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
