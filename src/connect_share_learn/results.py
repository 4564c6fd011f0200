"""A course's results computed in Python, keyed by the workbook's defined names.

``course_results(toolkit, course, rows)`` gives every statistic the workbook's Results sheet
shows, under the same name (``self_efficacy_t1_mean``, ``attitudes_t1_t2_d``,
``knowledge_foundation_baseline_p``…), computed with :mod:`connect_share_learn.stats`. The
tests compare it with LibreOffice's recalculation; ``csl demo`` stores it in the workbook.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from connect_share_learn import stats
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course, Scale

Rows = Mapping[str, Sequence[Mapping[str, object]]]  # time point -> rows of column id -> value


def answers(scale: Scale, row: Mapping[str, object]) -> list:
    return [row.get(i.id) for i in scale.items]


def scored_scales_at(toolkit: Toolkit, course: Course, tp: str) -> list[Scale]:
    return [s for s in toolkit.scales_at(course, tp) if s.scored]


def scores_by_code(toolkit: Toolkit, course: Course, rows: Rows, tp: str, scale: Scale) -> dict[str, float]:
    """Code → score at ``tp`` for codes typed once there and scored."""
    fmt = toolkit.format_of(scale)
    tp_rows = rows.get(tp, [])
    return stats.unique_scores([r.get("code") for r in tp_rows], [stats.score(scale, fmt, answers(scale, r)) for r in tp_rows])


def _by_code(toolkit: Toolkit, course: Course, rows: Rows) -> dict[tuple[str, str], dict[str, float]]:
    return {(tp, s.id): scores_by_code(toolkit, course, rows, tp, s)
            for tp in course.tp_ids for s in scored_scales_at(toolkit, course, tp)}


def paired_changes(toolkit: Toolkit, course: Course, rows: Rows, by_code=None) -> dict[tuple[str, str, str], stats.PairedChange]:
    """(scale id, a, b) → the paired change of every scale asked at both time points of a pair."""
    by_code = by_code or _by_code(toolkit, course, rows)
    out = {}
    for a, b in course.pairs:
        at_b = {s.id for s in scored_scales_at(toolkit, course, b)}
        for scale in scored_scales_at(toolkit, course, a):
            if scale.id in at_b:
                out[(scale.id, a, b)] = stats.paired_change(by_code[(a, scale.id)], by_code[(b, scale.id)])
    return out


def course_results(toolkit: Toolkit, course: Course, rows: Rows) -> dict[str, float | int | None]:
    out: dict[str, float | int | None] = {}
    for tp in course.tp_ids:
        for scale in scored_scales_at(toolkit, course, tp):
            fmt = toolkit.format_of(scale)
            tp_stats = stats.time_point_stats(scale, fmt, [answers(scale, r) for r in rows.get(tp, [])])
            for name, value in tp_stats.as_dict().items():
                out[f"{scale.id}_{tp}_{name}"] = value
            out[f"{scale.id}_{tp}_ci_half"] = stats.mean_ci_half(tp_stats.n, tp_stats.sd)
    by_code = _by_code(toolkit, course, rows)
    for (scale_id, a, b), change in paired_changes(toolkit, course, rows, by_code).items():
        for name, value in change.as_dict().items():
            out[f"{scale_id}_{a}_{b}_{name}"] = value
    if course.double_baseline:
        for scale in scored_scales_at(toolkit, course, "t0"):
            if all((tp, scale.id) in by_code for tp in ("t1", "t2")):
                contrast = stats.baseline_contrast(by_code[("t0", scale.id)], by_code[("t1", scale.id)],
                                                   by_code[("t2", scale.id)])
                for name, value in contrast.as_dict().items():
                    out[f"{scale.id}_baseline_{name}"] = value
    return out
