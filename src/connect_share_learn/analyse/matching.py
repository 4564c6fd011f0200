"""Who was matched across time points: likely near-matches, and whether drop-out biases results.

Codes are never merged here. Near-matches (one character apart, same agency where both are
known) are listed by sheet and row for a person to confirm. The baseline comparison shows
whether the people matched at a later time point started out different from those who were
not, using :func:`stats.mean_sd` on each side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from connect_share_learn.analyse.pooled import PooledData, participant_key
from connect_share_learn.analyse.pooled_columns import PooledColumns
from connect_share_learn.analyse.quality import QualityProblem
from connect_share_learn.contract import TIME_POINT_SHEETS


def one_edit_apart(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with one character changed, added or dropped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return True
    return False


def near_matches(data: PooledData) -> list[QualityProblem]:
    """One problem per likely pair, on the later row, naming the earlier row (never a code)."""
    out = []
    for bk, book in enumerate(data.books):
        course = data.toolkit.courses[book.course]
        rows = {}
        for r in book.responses:
            if r.used and r.code:
                rows.setdefault((r.tp, r.code), r.row)
        for a, b in course.pairs:
            codes_a, codes_b = data.codes.get((bk, a), set()), data.codes.get((bk, b), set())
            lone_a, lone_b = sorted(codes_a - codes_b), sorted(codes_b - codes_a)
            for y in lone_b:
                for x in lone_a:
                    if not one_edit_apart(x, y):
                        continue
                    ax = data.agency_of.get(participant_key(bk, x))
                    ay = data.agency_of.get(participant_key(bk, y))
                    if ax is not None and ay is not None and ax != ay:
                        continue
                    out.append(QualityProblem(book.file, "near_match", sheet=TIME_POINT_SHEETS[b], row=rows[(b, y)],
                                              column="code", detail=f"{TIME_POINT_SHEETS[a]} row {rows[(a, x)]}"))
    return out


@dataclass(frozen=True)
class BaselineByFollowUp:
    """Baseline scores of the people matched at a later time point and of those who were not."""

    kind: str  # of the group: "all" or "course_type"
    key: str
    group: str
    scale: str
    baseline: str
    later: str
    matched: tuple[int, float | None, float | None]  # n, mean, sd
    unmatched: tuple[int, float | None, float | None]

    @property
    def difference(self) -> float | None:
        if self.matched[1] is None or self.unmatched[1] is None:
            return None
        return self.matched[1] - self.unmatched[1]


def baseline_by_follow_up(columns: PooledColumns, groups) -> list[BaselineByFollowUp]:
    """For each group (course type or all), scale and later time point: matched vs unmatched at baseline.

    A response at the baseline counts as matched when its code is typed once at the later time
    point too, and as unmatched when it has no code or its code is not typed there; a code typed
    twice at the baseline is neither. Only courses that ask the later time point count.
    """
    out = []
    data = columns.data
    toolkit = data.toolkit
    asked = {cid: set(c.tp_ids) for cid, c in toolkit.courses.items()}
    for group in groups:
        if group.kind not in ("all", "course_type"):
            continue
        chosen = columns.members_of(group)
        books = np.unique(columns.member_book[chosen]).tolist()
        scales: list[str] = []
        later_tps: list[tuple[str, str]] = []
        for cid in dict.fromkeys(data.books[bk].course for bk in books):
            course = toolkit.courses[cid]
            base = "t1" if "t1" in course.tp_ids else course.tp_ids[0]
            for tp in course.tp_ids:
                if tp > base and (base, tp) not in later_tps:
                    later_tps.append((base, tp))
            for s in toolkit.scales_at(course, base):
                if s.scored and s.id not in scales:
                    scales.append(s.id)
        for sid in scales:
            for base, later in later_tps:
                column = columns.columns.get((sid, base))
                if column is None:
                    continue
                asks_later = np.asarray([later in asked[b.course] for b in data.books], dtype=bool)
                owner = column.owner
                rows = chosen[owner] & asks_later[columns.member_book[owner]]
                participant = columns.member_participant[owner]
                coded = participant >= 0
                counted = rows & (~coded | columns.typed_once(base, participant))  # typed twice at baseline: neither
                matched = counted & columns.typed_once(later, participant)
                matched_stats = column.score.mean_sd(matched)
                unmatched_stats = column.score.mean_sd(counted & ~matched)
                if matched_stats[0] or unmatched_stats[0]:
                    out.append(BaselineByFollowUp(group.kind, group.key, group.label, sid, base, later,
                                                  matched_stats, unmatched_stats))
    return out
