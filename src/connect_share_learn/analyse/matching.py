"""Who was matched across time points: likely near-matches, and whether drop-out biases results.

Codes are never merged here. Near-matches (one character apart, same agency where both are
known) are listed by sheet and row for a person to confirm. The baseline comparison shows
whether the people matched at a later time point started out different from those who were
not, using :func:`stats.mean_sd` on each side.
"""

from __future__ import annotations

from dataclasses import dataclass

from connect_share_learn import stats
from connect_share_learn.analyse.pooled import PooledData, participant_key
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


def baseline_by_follow_up(data: PooledData, groups) -> list[BaselineByFollowUp]:
    """For each group (course type or all), scale and later time point: matched vs unmatched at baseline."""
    out = []
    toolkit = data.toolkit
    for group in groups:
        if group.kind not in ("all", "course_type"):
            continue
        books = sorted({m.book for m in group.members})
        scales: list[str] = []
        later_tps: list[tuple[str, str]] = []
        for bk in books:
            course = toolkit.courses[data.books[bk].course]
            base = "t1" if "t1" in course.tp_ids else course.tp_ids[0]
            for tp in course.tp_ids:
                if tp > base and (base, tp) not in later_tps:
                    later_tps.append((base, tp))
            for s in toolkit.scales_at(course, base):
                if s.scored and s.id not in scales:
                    scales.append(s.id)
        # One pass over the members: each baseline score into its (scale, later time point) lists.
        found: dict[tuple[str, str, str], tuple[list, list]] = {
            (sid, base, later): ([], []) for sid in scales for base, later in later_tps}
        of_book: dict[int, tuple] = {}
        for m in group.members:
            r = m.response
            if not r.code and not r.scores:
                continue
            known = of_book.get(m.book)
            if known is None:
                asked = toolkit.courses[data.books[m.book].course].tp_ids
                known = of_book[m.book] = [(base, later, data.codes.get((m.book, base), set()),
                                            data.codes.get((m.book, later), set()))
                                           for base, later in later_tps if later in asked]
            for base, later, codes, later_codes in known:
                if r.tp != base or (r.code and r.code not in codes):
                    continue  # a duplicate code: neither matched nor clearly unmatched
                is_matched = bool(r.code) and r.code in later_codes
                for sid, score in r.scores.items():
                    lists = found.get((sid, base, later)) if score is not None else None
                    if lists is not None:
                        lists[0 if is_matched else 1].append(score)
        for sid in scales:
            for base, later in later_tps:
                matched, unmatched = found[(sid, base, later)]
                if matched or unmatched:
                    out.append(BaselineByFollowUp(group.kind, group.key, group.label, sid, base, later,
                                                  stats.mean_sd(matched), stats.mean_sd(unmatched)))
    return out
