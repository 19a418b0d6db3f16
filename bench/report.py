"""The table: our figure, Kinto's, the ratio, the target and PASS/FAIL; and the JSON file."""
import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path

# "No slower": medians of a few milliseconds wobble, so allow this much before calling it slower.
NO_SLOWER_TOLERANCE = 1.25


def _fmt(value, unit=""):
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
    else:
        text = f"{value:,}"
    return text + unit


def _get(doc, *path):
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def _ratio(a, b):
    return a / b if a is not None and b else None


def rows(result, sizes):
    """The table's rows for one backend kind: (label, ours, kinto, ratio, target, passed).
    A side that failed shows "-", and its targets FAIL."""
    ours, peer = result.get("ours", {}), result.get("kinto", {})
    n, big = f"{sizes['records']:,}", f"{sizes['big']:,}"
    out = []

    def add(label, a, b, ratio, target, passed, unit=""):
        out.append((label, _fmt(a, unit), _fmt(b, unit),
                    "-" if ratio is None else f"{ratio:,.1f}x", target,
                    None if passed is None else bool(passed)))

    def at_least(ratio, factor):
        return ratio is not None and ratio >= factor

    push_a, push_b = _get(ours, "push", "records_per_s"), _get(peer, "push", "records_per_s")
    ratio = _ratio(push_a, push_b)
    add(f"(1) push {n} in batches of 1,000, records/s", push_a, push_b, ratio, ">= 20x",
        at_least(ratio, 20))
    full_a = _get(ours, "full_pull", "1000", "ms")
    for key, label, factor in (("unpaged", "Kinto unpaged", 2), ("1000", "both 1,000/page", 10)):
        full_b = _get(peer, "full_pull", key, "ms")
        ratio = _ratio(full_b, full_a)
        add(f"(2) fresh device pulls {n}, ms (ours 1,000/page; {label})", full_a, full_b,
            ratio, f">= {factor}x faster", at_least(ratio, factor), " ms")
    small, large = _get(ours, "incremental", "small", "ms"), _get(ours, "incremental", "big", "ms")
    if _get(ours, "fill", "error"):
        large = None
    peer_small = _get(peer, "incremental", "small", "ms")
    ratio = _ratio(peer_small, small)
    add(f"(3) pull 100 changes, {n} stored, ms", small, peer_small, ratio, ">= 5x faster",
        at_least(ratio, 5), " ms")
    ratio = _ratio(peer_small, large)
    add(f"(3) pull 100 changes, {big} stored (Kinto: at {n}), ms", large, peer_small, ratio,
        ">= 5x faster", at_least(ratio, 5), " ms")
    growth = _ratio(large, small)
    add(f"(3) ours at {big} stored vs at {n}, ms", large, small, growth,
        f"no slower (<= {NO_SLOWER_TOLERANCE}x)",
        growth is not None and growth <= NO_SLOWER_TOLERANCE, " ms")
    dev_a, dev_b = ours.get("devices", {}), peer.get("devices", {})
    d = f"(4) {sizes['devices']} devices at once"
    add(f"{d}: records/s", dev_a.get("records_per_s"), dev_b.get("records_per_s"),
        _ratio(dev_a.get("records_per_s"), dev_b.get("records_per_s")), "(information)", None)
    add(f"{d}: p50 per sync (push+pull), ms", dev_a.get("p50_ms"), dev_b.get("p50_ms"), None,
        "(information)", None, " ms")
    p95 = dev_a.get("p95_ms")
    add(f"{d}: p95 per sync (push+pull), ms", p95, dev_b.get("p95_ms"), None, "< 200 ms",
        p95 is not None and p95 < 200, " ms")
    add(f"{d}: errors", dev_a.get("errors"), dev_b.get("errors"), None, "0",
        dev_a.get("errors") == 0)
    return out


def table(result, sizes):
    """The printable table for one backend kind."""
    header = ("Workload", result["ours_label"], result["kinto_label"], "Ratio", "Target",
              "Result")
    body = [(*r[:5], "" if r[5] is None else ("PASS" if r[5] else "FAIL"))
            for r in rows(result, sizes)]
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    line = lambda row: "| " + " | ".join(  # noqa: E731
        str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))
    ) + " |"
    rule = "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":"
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *map(line, body)])


def verdicts(results, sizes):
    """Every target as (kind, label, passed)."""
    return [(kind, r[0], r[5]) for kind, result in results.items()
            for r in rows(result, sizes) if r[5] is not None]


class Saver:
    """Writes the results so far to one JSON file, again after every step: a run that dies
    half-way still leaves its figures."""

    def __init__(self, directory, sizes):
        self.sizes, self.stamp = sizes, datetime.now(timezone.utc)
        self.directory = Path(directory)
        self.path = self.directory / f"bench-{self.stamp.strftime('%Y%m%dT%H%M%SZ')}.json"

    def save(self, results):
        self.directory.mkdir(parents=True, exist_ok=True)
        doc = {"at": self.stamp.isoformat(), "sizes": self.sizes,
               "machine": {"python": platform.python_version(), "platform": platform.platform(),
                           "load_average": os.getloadavg()},
               "results": results,
               "targets": [{"kind": k, "workload": w, "pass": p}
                           for k, w, p in verdicts(results, self.sizes)]}
        self.path.write_text(json.dumps(doc, indent=2, default=str))
        return self.path
