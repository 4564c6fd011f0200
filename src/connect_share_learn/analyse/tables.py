"""The result tables every output shows, with the cells :mod:`disclosure` hides.

Each table is a list of flat rows (dicts); report.html, results.xlsx and the tests read the
same rows. Where a group's count is hidden, every statistic of it is replaced by
:data:`SUPPRESSED` too; a count of 0 is shown as 0, since it discloses nobody.
"""

from __future__ import annotations

from connect_share_learn.analyse.disclosure import MIN_CELL, Disclosure
from connect_share_learn.analyse.item_total import ItemTotal
from connect_share_learn.analyse.matching import BaselineByFollowUp
from connect_share_learn.analyse.pooled import GroupResult

# One mark for every hidden cell, small or hidden to protect another (the GSS's "[c]",
# confidential): two marks would tell which hidden cells are the small ones.
SUPPRESSED = "[c]"

TIME_POINT_COLUMNS = ["group_kind", "group", "scale", "time_point", "courses", "n", "mean", "sd", "ci_low", "ci_high",
                      "alpha"]
CHANGE_COLUMNS = ["group_kind", "group", "scale", "pair", "n_pairs", "mean_change", "sd_change", "t", "df", "p",
                  "ci_low", "ci_high", "d", "dz", "pct_improved"]
CONTRAST_COLUMNS = ["group_kind", "group", "scale", "n", "mean", "sd", "t", "df", "p"]
RESPONSE_COLUMNS = ["group_kind", "group", "courses", "attended", "time_point", "responses", "response_rate"]
MATCHED_COLUMNS = ["group_kind", "group", "pair", "matched"]
BASELINE_COLUMNS = ["group", "scale", "baseline", "later", "n_matched", "mean_matched", "sd_matched",
                    "n_unmatched", "mean_unmatched", "sd_unmatched", "difference"]
ITEM_TOTAL_COLUMNS = ["scale", "time_point", "item", "n", "r", "flag"]


def _hide(row: dict) -> dict:
    return {k: (v if k in _KEEP else SUPPRESSED) for k, v in row.items()}


_KEEP = ("group_kind", "group", "scale", "time_point", "pair", "baseline", "later", "item", "courses", "attended")


def time_point_rows(results: list[GroupResult], published: Disclosure) -> list[dict]:
    rows = []
    for g in results:
        for s in g.time_points:
            row = dict(group_kind=g.kind, group=g.label, scale=s.scale, time_point=s.tp, courses=s.courses, n=s.stats.n,
                       mean=s.stats.mean, sd=s.stats.sd, ci_low=s.ci_low, ci_high=s.ci_high, alpha=s.stats.alpha)
            if published.hides(g, "tp", s.scale, s.tp):
                row = _hide(row)
            elif 0 < s.n_complete < MIN_CELL and row["alpha"] is not None:
                row["alpha"] = SUPPRESSED  # alpha rests on the people who answered every item
            rows.append(row)
    return rows


def change_rows(results: list[GroupResult], published: Disclosure) -> list[dict]:
    rows = []
    for g in results:
        for (sid, a, b), c in g.changes.items():
            row = dict(group_kind=g.kind, group=g.label, scale=sid, pair=f"{a}_{b}", **vars(c))  # as_dict, not deep
            rows.append(_hide(row) if published.hides(g, "change", sid, a, b) else row)
    return rows


def contrast_rows(results: list[GroupResult], published: Disclosure) -> list[dict]:
    rows = []
    for g in results:
        for sid, c in g.contrasts.items():
            row = dict(group_kind=g.kind, group=g.label, scale=sid, **vars(c))
            rows.append(_hide(row) if published.hides(g, "contrast", sid) else row)
    return rows


def response_rows(results: list[GroupResult], published: Disclosure) -> list[dict]:
    rows = []
    for g in results:
        for tp in g.responses:
            attended = g.attended_at.get(tp)
            rate = 100.0 * g.responses_of_attended.get(tp, 0) / attended if attended else None
            rows.append(dict(group_kind=g.kind, group=g.label, courses=g.courses, attended=attended, time_point=tp,
                             responses=responses_shown(g, tp, published),
                             response_rate=SUPPRESSED if published.hides(g, "responded_of_attended", tp) else rate))
    return rows


def matched_rows(results: list[GroupResult], published: Disclosure) -> list[dict]:
    return [dict(group_kind=g.kind, group=g.label, pair=f"{a}_{b}",
                 matched=SUPPRESSED if published.hides(g, "matched", a, b) else n)
            for g in results for (a, b), n in g.matched.items()]


def baseline_rows(found: list[BaselineByFollowUp], published: Disclosure) -> list[dict]:
    rows = []
    for x in found:
        hide_m = published.hides(x, "baseline_matched", x.scale, x.baseline, x.later)
        hide_u = published.hides(x, "baseline_unmatched", x.scale, x.baseline, x.later)
        m = (SUPPRESSED,) * 3 if hide_m else x.matched
        u = (SUPPRESSED,) * 3 if hide_u else x.unmatched
        rows.append(dict(group=x.group, scale=x.scale, baseline=x.baseline, later=x.later,
                         n_matched=m[0], mean_matched=m[1], sd_matched=m[2],
                         n_unmatched=u[0], mean_unmatched=u[1], sd_unmatched=u[2],
                         difference=SUPPRESSED if hide_m or hide_u else x.difference))
    return rows


def agency_rows(results: list[GroupResult], published: Disclosure) -> list[tuple[str, object]]:
    """(agency, questionnaires at the first time point of each one's course), for the charts."""
    return [(g.label, SUPPRESSED if published.hides(g, "first") else g.first_responses)
            for g in results if g.kind == "agency"]


def responses_shown(g: GroupResult, tp: str, published: Disclosure):
    """A group's questionnaires at ``tp`` as the tables show them (the courses' list, say)."""
    if tp not in g.responses:
        return None
    return SUPPRESSED if published.hides(g, "responses", tp) else g.responses[tp]


def item_total_rows(found: list[ItemTotal]) -> list[dict]:
    """Over all courses only, linked to no other table: small counts alone are hidden."""
    rows = []
    for x in found:
        row = dict(scale=x.scale, time_point=x.tp, item=x.item, n=x.n, r=x.r, flag="negative" if x.flagged else "")
        rows.append(_hide(row) if 0 < x.n < MIN_CELL else row)
    return rows
