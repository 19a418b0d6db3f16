"""CSV exports of the review's tables, from the same suppressed document the page shows."""
import csv
import io

from ..errors import invalid
from .words import TABLES

SUPPRESSED = "suppressed"
# A spreadsheet runs a cell starting with one of these as a formula: written as text instead.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def names():
    return tuple(TABLES)


def _text(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value):
    """A figure's value, "suppressed", or a plain value."""
    if isinstance(value, dict):
        return SUPPRESSED if value.get("suppressed") else _cell(value.get("value"))
    if value is None:
        return ""
    return _text(value)


def _figures(review):
    rows = [["Figure", "Value", "Learners"]]
    for fig in review["figures"].values():
        rows.append([fig["label"], _cell(fig), fig.get("learners", "")])
    return rows


def _table(doc):
    keys = [c["key"] for c in doc["columns"]]
    rows = [[c["label"] for c in doc["columns"]]]
    if doc["suppressed"]:
        return rows + [[f"{SUPPRESSED}: {doc['reason']}"] + [""] * (len(keys) - 1)]
    return rows + [[_cell(row.get(k)) for k in keys] for row in doc["rows"]]


def render(review, name):
    """The table ``name`` of ``review`` as CSV text: a header row, then one row per line of
    the table; a suppressed cell says "suppressed", a suppressed table says so in one row."""
    if name == "figures":
        rows = _figures(review)
    elif name in review["tables"]:
        rows = _table(review["tables"][name])
    else:
        raise invalid("table", "this review has no such table (stored reviews keep no quotes "
                               "and no per-learner points)")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def filename(review, name):
    scope = review["scope"]
    ids = "-".join(str(o["id"]) for o in scope["organisations"])
    return f"review-{ids}-{name}-{scope['from']}-to-{scope['to']}.csv"
