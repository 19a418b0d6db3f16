"""Suppression: the one place every figure of the review passes through.

A figure drawn from fewer than ``MIN_LEARNERS`` distinct learners is never shown: its value is
``null``, with ``"suppressed": true`` and the reason. The API, the page, the CSV exports and
the stored snapshots all carry the document built here, so they cannot disagree.

Complementary suppression: where the cells of a table add up to a total that is shown (people
who felt better, the same or worse; goals at each rung of the ladder), hiding one small cell
is not enough, since the total minus the others gives it back. So the smallest other cells are
hidden too, until the hidden cells together come from at least ``MIN_LEARNERS`` learners:
what can be worked out from the total is then itself a group of five or more. (Or of none: when
every hidden cell is empty, the total shows only that nobody is in them, which says nothing
about anyone, so nothing more is hidden.)

Only journal-derived figures are suppressed. Set-up facts that staff already see person by
person elsewhere (how many learners a mentor is paired with, which tablets are silent) carry
``learners=None`` and are shown as they are.
"""
MIN_LEARNERS = 5
REASON = f"drawn from fewer than {MIN_LEARNERS} learners"
POINTS_WOULD_SHOW = (f"the dots would give away figures the table hides (a band of fewer than "
                     f"{MIN_LEARNERS} learners)")


def count_of(learners):
    """A set of learner ids, or a number of learners, as a number (None stays None)."""
    if learners is None or isinstance(learners, int):
        return learners
    return len(learners)


def is_small(learners):
    """Whether a group of learners is too small to show anything drawn from it."""
    n = count_of(learners)
    return n is not None and n < MIN_LEARNERS


def suppressed():
    return {"value": None, "suppressed": True, "reason": REASON}


def figure(value, learners, digits=None, hide=False):
    """One figure: shown with the number of learners it was drawn from, or suppressed.

    :param learners: the learner ids (a set) or their number; None for set-up data
    :param digits: round the value to this many decimals
    :param hide: suppress it anyway (complementary suppression)
    """
    if hide or is_small(learners):
        return suppressed()
    if digits is not None and value is not None:
        value = round(value, digits)
    shown = {"value": value, "suppressed": False}
    if learners is not None:
        shown["learners"] = count_of(learners)
    return shown


def hidden_cells(groups, union=None):
    """The keys to suppress in a partition: every small cell, then the smallest others until
    the hidden cells together come from enough learners (or from nobody at all).

    :param groups: {key: set of learner ids, or their number}
    :param union: ``union(keys)`` -> how many distinct learners those cells come from; needed
        when ``groups`` gives numbers, since one learner can be in several cells
    """
    union = union or (lambda keys: len(set().union(*(groups[k] for k in keys))))
    hidden = {key for key, who in groups.items() if is_small(who)}
    if not hidden:
        return hidden
    others = sorted((k for k in groups if k not in hidden),
                    key=lambda k: (count_of(groups[k]), str(k)))
    while others and 0 < union(hidden) < MIN_LEARNERS:
        hidden.add(others.pop(0))
    return hidden


def table(title, columns, rows, learners=None, hide=None):
    """A table of the review. Tables whose rows are people (the dose points, the quotes) pass
    ``learners`` and are suppressed whole when it is small; other tables suppress cell by cell
    through ``figure``.

    :param columns: (key, label) pairs
    :param hide: the reason to suppress the whole table however many learners it has
    """
    doc = {"title": title, "columns": [{"key": k, "label": label} for k, label in columns],
           "rows": rows, "suppressed": False}
    if is_small(learners) or hide:
        doc.update(rows=[], suppressed=True, reason=REASON if is_small(learners) else hide)
    return doc


def guard(node):
    """Raise if anything in the document shows a figure drawn from too few learners: the
    last check before a review leaves the server or is stored."""
    if isinstance(node, dict):
        if node.get("suppressed") is False and is_small(node.get("learners")):
            raise AssertionError(f"an unsuppressed figure from {node['learners']} learners")
        if node.get("suppressed") is True and (node.get("value") is not None or node.get("rows")):
            raise AssertionError("a suppressed figure or table still carries its values")
        for value in node.values():
            guard(value)
    elif isinstance(node, list):
        for value in node:
            guard(value)
    return node
