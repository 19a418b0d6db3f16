"""The review: the database's aggregates turned into figures and tables, each one through
``suppression``. ``build`` is the only way a review is made (API, CSV, snapshots alike).

How each figure is computed is written out in docs/review.md.
"""
from math import sqrt

from ..journal.schemas import BENEFITS, LADDER
from . import equity, queries
from .suppression import MIN_LEARNERS, POINTS_WOULD_SHOW, figure, guard, hidden_cells, table
from .words import (BENEFIT_WORDS, BENEFITS_BY_KIND, DOSE_BANDS, FIGURES, LADDER_WORDS,
                    ONS_WORDS, OUTCOME_WORDS, TABLES)


def build(organisations, period, now):
    """The review of ``organisations`` over ``period``, made at ``now``: a JSON-ready dict."""
    org_ids = [org.id for org in organisations]
    scope = queries.Scope.of(org_ids, period)
    sessions = queries.session_rows(scope)
    contributions = queries.contribution_rows(scope)
    goals = queries.goal_rows(scope)
    known = ({r.learner for r in sessions} | {r.learner for r in contributions}
             | _learners(goals, "set"))
    active = queries.active_learners(scope, known)
    quiet = equity.quiet_ids(org_ids, *period.quiet_window(now.astimezone(period.tz).date()))
    devices = equity.silent_devices(org_ids, now)
    taking_part = queries.population(org_ids, period, active)
    figures = {
        "learners_counted": figure(len(taking_part), taking_part),
        "active_learners": figure(len(active), active),
        **_session_figures(sessions, period), **_goal_figures(goals),
        **_contribution_figures(contributions),
        "quiet_learners": figure(len(quiet), quiet),
        "silent_devices": figure(len(devices), None),
    }
    doc = {
        "scope": {"organisations": [{"id": o.id, "name": o.name, "kind": o.kind}
                                    for o in organisations], **period.as_dict()},
        "made_at": now.isoformat(),
        "minimum_learners": MIN_LEARNERS,
        "figures": {key: {"label": FIGURES[key], **fig} for key, fig in figures.items()},
        "tables": {
            "benefits": _benefits(sessions, organisations),
            "faces": _faces(sessions),
            "ons4": _ons4(queries.checkin_months(scope)),
            "coproduction": _ladder(scope),
            **_dose_effect(sessions, period),
            "mentor_load": _mentor_load(equity.mentor_load(
                org_ids, queries.mentor_rows(scope, sessions))),
            "silent_devices": _devices(devices),
            "quotes": _quotes(*queries.quotes(scope), active),
        },
    }
    return guard(doc)


def _learners(rows, column):
    """The learners of ``rows`` (per-learner rows) with something in ``column``."""
    return {r.learner for r in rows if getattr(r, column)}


def _session_figures(rows, period):
    with_sessions = _learners(rows, "sessions")
    minutes = sum(r.minutes for r in rows)
    changes = _mean_changes(rows)
    per_week = minutes / len(with_sessions) / period.weeks if with_sessions else None
    return {
        "sessions": figure(sum(r.sessions for r in rows), with_sessions),
        "minutes_per_learner_per_week": figure(per_week, with_sessions, 1),
        "faces_mean_change": figure(_mean(changes.values()), set(changes), 2),
    }


def _goal_figures(rows):
    scores = {r.learner: gas_t_score(r.level_sum, r.levels) for r in rows if r.levels}
    return {
        "goals_set": figure(sum(r.set for r in rows), _learners(rows, "set")),
        "goals_achieved": figure(sum(r.achieved for r in rows), _learners(rows, "achieved")),
        "gas_mean_t": figure(_mean(scores.values()), set(scores), 1),
    }


def _contribution_figures(rows):
    contributors = _learners(rows, "made")
    return {
        "contributions": figure(sum(r.made for r in rows), contributors),
        "contributors": figure(len(contributors), contributors),
        "offers": figure(sum(r.offers for r in rows), _learners(rows, "offers")),
    }


def gas_t_score(level_sum, goals):
    """Kiresuk and Sherman's T-score over one person's goals, equal weights, rho = 0.3:
    T = 50 + 10 * sum(x) / sqrt(0.7 n + 0.3 n^2)."""
    return 50 + 10 * level_sum / sqrt(0.7 * goals + 0.3 * goals ** 2)


def _mean(values):
    values = list(values)
    return sum(values) / len(values) if values else None


def _mean_changes(rows):
    """{learner: their mean change in faces, after minus before} over sessions with both."""
    return {r.learner: r.change_sum / r.changes for r in rows if r.changes}


def _benefits(rows, organisations):
    sessions = sum(r.sessions for r in rows)
    usual = {tag for org in organisations for tag in BENEFITS_BY_KIND.get(org.kind, ())}
    counts = {r.learner: queries.tag_counts(r.tags) for r in rows}
    out = []
    for tag in BENEFITS:
        who = {learner for learner, tags in counts.items() if tags.get(tag)}
        count = sum(tags.get(tag, 0) for tags in counts.values())
        if tag not in usual and not count:
            continue
        out.append({"tag": tag, "label": BENEFIT_WORDS[tag], "sessions": figure(count, who),
                    "share": figure(count / sessions if sessions else None, who, 3)})
    return table(TABLES["benefits"], [("label", "Good for"), ("sessions", "Sessions"),
                                      ("share", "Share of all sessions")], out)


def _faces(rows):
    changes = _mean_changes(rows)
    groups = {"improved": {k for k, v in changes.items() if v > 0},
              "same": {k for k, v in changes.items() if v == 0},
              "worse": {k for k, v in changes.items() if v < 0}}
    hidden = hidden_cells(groups)
    out = [{"outcome": key, "label": OUTCOME_WORDS[key],
            "learners": figure(len(who), who, hide=key in hidden),
            "share": figure(len(who) / len(changes) if changes else None, who, 3,
                            hide=key in hidden)} for key, who in groups.items()]
    return table(TABLES["faces"], [("label", "On average, over their sessions"),
                                   ("learners", "Learners"), ("share", "Share of learners")], out)


def _ons4(rows):
    out = []
    for row in sorted(rows):
        cells = {"month": row[0]}
        for i, name in enumerate(ONS_WORDS):
            mean, learners = row[1 + 2 * i], row[2 + 2 * i]
            cells[name] = figure(float(mean) if mean is not None else None, learners, 1)
        out.append(cells)
    return table(TABLES["ons4"], [("month", "Month")] + list(ONS_WORDS.items()), out)


def _ladder(scope):
    counts, who = {}, {}
    for month, learner_id, *at_rungs in queries.ladder_rows(scope):
        for rung, goals in zip(LADDER, at_rungs):
            if goals:
                counts[month, rung] = counts.get((month, rung), 0) + goals
                who.setdefault((month, rung), set()).add(learner_id)
    out = []
    for month, _, _ in scope.period.months():
        groups = {rung: who.get((month, rung), set()) for rung in LADDER}
        everyone = set().union(*groups.values())
        total = sum(counts.get((month, rung), 0) for rung in LADDER)
        hidden = set(LADDER) if len(everyone) < MIN_LEARNERS else hidden_cells(groups)
        row = {"month": month, "goals": figure(total, everyone)}
        for rung in LADDER:
            row[rung] = figure(counts.get((month, rung), 0) / total if total else None,
                               groups[rung], 3, hide=rung in hidden)
        out.append(row)
    return table(TABLES["coproduction"], [("month", "Month"), ("goals", "Goals set")]
                 + list(LADDER_WORDS.items()), out)


def _dose(rows, period):
    """{learner: (minutes a week, mean change)} for learners with sessions and faces."""
    changes = _mean_changes(rows)
    return {r.learner: (r.minutes / period.weeks, changes[r.learner])
            for r in rows if r.learner in changes}


def _dose_effect(rows, period):
    """The dose bands, and one unlabelled point per learner, in value order so the order says
    nothing of who. The points give back every band's learners and mean change: they are shown
    only when no band with anyone in it is hidden (docs/review.md, "Privacy", 8)."""
    dose = _dose(rows, period)
    groups, lower = {}, 0
    for upper, _ in DOSE_BANDS:
        groups[lower] = {k for k, (m, _) in dose.items()
                         if m >= lower and (upper is None or m < upper)}
        lower = upper
    hidden = hidden_cells(groups)
    bands = []
    for (lower, who), (_, words) in zip(groups.items(), DOSE_BANDS):
        bands.append({"band": words, "learners": figure(len(who), who, hide=lower in hidden),
                      "mean_change": figure(_mean(dose[k][1] for k in who), who, 2,
                                            hide=lower in hidden)})
    points = sorted((round(m), round(c, 1)) for m, c in dose.values())
    gives_back = any(groups[lower] for lower in hidden)
    return {
        "dose_bands": table(TABLES["dose_bands"], [("band", "Minutes of learning"),
                                                   ("learners", "Learners"),
                                                   ("mean_change", "Mean change in feeling")],
                            bands),
        "dose_points": table(TABLES["dose_points"], [("minutes_per_week", "Minutes a week"),
                                                     ("mean_change", "Mean change in feeling")],
                             [{"minutes_per_week": m, "mean_change": c} for m, c in points],
                             len(points), hide=POINTS_WOULD_SHOW if gives_back else None)}


def _mentor_load(rows):
    out = [{"mentor": name, "learners": figure(paired, None), "sessions": figure(n, who)}
           for name, paired, n, who in rows]
    return table(TABLES["mentor_load"], [("mentor", "Mentor"), ("learners", "Learners paired now"),
                                         ("sessions", "Sessions they logged")], out)


def _devices(rows):
    out = [{"device": name, "last_seen": last.date().isoformat() if last else None,
            "days_silent": figure(days, None)} for name, last, days in rows]
    return table(TABLES["silent_devices"], [("device", "Tablet"), ("last_seen", "Last seen"),
                                            ("days_silent", "Days silent")], out)


def _quotes(rows, total, active):
    """Consented quotes, shown only when the review counts at least five active learners, so
    that "without my name" still leaves five or more people who might have written them."""
    doc = table(TABLES["quotes"], [("month", "Month"), ("text", "Their words")],
                [{"month": month, "text": text} for month, text in rows], active)
    doc["more"] = 0 if doc["suppressed"] else total - len(rows)
    return doc
