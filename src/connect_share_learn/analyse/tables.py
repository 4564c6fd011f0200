"""The result tables every output shows, with small cells suppressed.

Each table is a list of flat rows (dicts); report.html, results.xlsx and the tests read the
same rows. A statistic resting on fewer than :data:`MIN_CELL` participants is replaced by
:data:`SUPPRESSED` in every cell of its row (counts of 1 to 4 included); a count of 0 is
shown as 0, since it discloses nobody.
"""

from __future__ import annotations

from connect_share_learn.analyse.item_total import ItemTotal
from connect_share_learn.analyse.matching import BaselineByFollowUp
from connect_share_learn.analyse.pooled import GroupResult

MIN_CELL = 5
SUPPRESSED = "<5"

TIME_POINT_COLUMNS = ["group_kind", "group", "scale", "time_point", "n", "mean", "sd", "ci_low", "ci_high", "alpha"]
CHANGE_COLUMNS = ["group_kind", "group", "scale", "pair", "n_pairs", "mean_change", "sd_change", "t", "df", "p",
                  "ci_low", "ci_high", "d", "dz", "pct_improved"]
CONTRAST_COLUMNS = ["group_kind", "group", "scale", "n", "mean", "sd", "t", "df", "p"]
RESPONSE_COLUMNS = ["group_kind", "group", "courses", "attended", "time_point", "responses", "response_rate"]
MATCHED_COLUMNS = ["group_kind", "group", "pair", "matched"]
BASELINE_COLUMNS = ["group", "scale", "baseline", "later", "n_matched", "mean_matched", "sd_matched",
                    "n_unmatched", "mean_unmatched", "sd_unmatched", "difference"]
ITEM_TOTAL_COLUMNS = ["scale", "time_point", "item", "n", "r", "flag"]


def small(n) -> bool:
    return isinstance(n, int) and 0 < n < MIN_CELL


def count(n: int):
    return SUPPRESSED if small(n) else n


def _suppress(row: dict, n_key: str, keep: tuple[str, ...]) -> dict:
    if small(row[n_key]):
        return {k: (v if k in keep else SUPPRESSED) for k, v in row.items()}
    return row


_KEEP = ("group_kind", "group", "scale", "time_point", "pair", "baseline", "later", "item", "courses", "attended")


def time_point_rows(results: list[GroupResult]) -> list[dict]:
    rows = []
    for g in results:
        for s in g.time_points:
            row = dict(group_kind=g.kind, group=g.label, scale=s.scale, time_point=s.tp, n=s.stats.n,
                       mean=s.stats.mean, sd=s.stats.sd, ci_low=s.ci_low, ci_high=s.ci_high, alpha=s.stats.alpha)
            row = _suppress(row, "n", _KEEP)
            if small(s.n_complete) and row["alpha"] is not None:
                row["alpha"] = SUPPRESSED
            rows.append(row)
    return rows


def change_rows(results: list[GroupResult]) -> list[dict]:
    rows = []
    for g in results:
        for (sid, a, b), c in g.changes.items():
            row = dict(group_kind=g.kind, group=g.label, scale=sid, pair=f"{a}_{b}", **c.as_dict())
            rows.append(_suppress(row, "n_pairs", _KEEP))
    return rows


def contrast_rows(results: list[GroupResult]) -> list[dict]:
    rows = []
    for g in results:
        for sid, c in g.contrasts.items():
            row = dict(group_kind=g.kind, group=g.label, scale=sid, **c.as_dict())
            rows.append(_suppress(row, "n", _KEEP))
    return rows


def response_rows(results: list[GroupResult]) -> list[dict]:
    rows = []
    for g in results:
        for tp, n in g.responses.items():
            of_attended = g.responses_of_attended.get(tp, 0)
            attended = g.attended_at.get(tp)
            rate = 100.0 * of_attended / attended if attended else None
            rows.append(dict(group_kind=g.kind, group=g.label, courses=g.courses, attended=attended,
                             time_point=tp, responses=count(n),
                             response_rate=SUPPRESSED if small(n) else rate))
    return rows


def matched_rows(results: list[GroupResult]) -> list[dict]:
    return [dict(group_kind=g.kind, group=g.label, pair=f"{a}_{b}", matched=count(n))
            for g in results for (a, b), n in g.matched.items()]


def baseline_rows(found: list[BaselineByFollowUp]) -> list[dict]:
    rows = []
    for x in found:
        m = (SUPPRESSED,) * 3 if small(x.matched[0]) else x.matched
        u = (SUPPRESSED,) * 3 if small(x.unmatched[0]) else x.unmatched
        diff = SUPPRESSED if small(x.matched[0]) or small(x.unmatched[0]) else x.difference
        rows.append(dict(group=x.group, scale=x.scale, baseline=x.baseline, later=x.later,
                         n_matched=m[0], mean_matched=m[1], sd_matched=m[2],
                         n_unmatched=u[0], mean_unmatched=u[1], sd_unmatched=u[2], difference=diff))
    return rows


def item_total_rows(found: list[ItemTotal]) -> list[dict]:
    rows = []
    for x in found:
        row = dict(scale=x.scale, time_point=x.tp, item=x.item, n=x.n, r=x.r,
                   flag="negative" if x.flagged else "")
        rows.append(_suppress(row, "n", _KEEP))
    return rows
