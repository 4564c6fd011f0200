"""Results per course and pooled across courses, every statistic computed by :mod:`stats`.

A group is a set of responses: one returned workbook (a course), every course of a course
type, every participant of an agency (GPs apart, as each agency option is its own group),
a partnership's courses in one reporting year, or everything. Within a group:

- per scale and time point, ``n``/``mean``/``sd`` are :func:`stats.mean_sd` of the scores
  and ``alpha`` is :func:`stats.cronbach_alpha` of the complete rows — exactly
  :func:`stats.time_point_stats` over the group's rows, with each row scored once — and the
  95% interval of the mean is ``mean ± stats.mean_ci_half``;
- per scale and pair of time points, :func:`stats.paired_change` over the participants
  matched *within their own workbook* (codes are only unique inside one course), with
  duplicates left out as :func:`stats.unique_scores` does, over the whole workbook's time point;
  in an agency's group, the participants of that agency at their course's first time point
  (one whose code is typed twice there is 'not known'), so that no pair counts in two agencies;
- the double-baseline contrast, :func:`stats.baseline_contrast`, where t0, t1 and t2 exist;
- matched between two time points, as the workbook's Matched count: the participants whose
  code is typed on one row at each, whatever else those rows hold (a row with nothing that can
  be scored matches, though it gives no pair).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from connect_share_learn import stats
from connect_share_learn.analyse.returned import Response, ReturnedWorkbook
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import TIME_POINTS, text

PAIR_ORDER = [("t1", "t2"), ("t1", "t3"), ("t2", "t3"), ("t0", "t1")]
NOT_KNOWN = "Not known"
ALL_COURSES = "All courses"

GROUP_KINDS = ("all", "course_type", "agency", "partnership_year", "course")


@dataclass(frozen=True)
class Member:
    """A response placed in the pooled data: its workbook, and its participant's agency."""

    book: int
    response: Response
    agency: int | None
    key: str | None = None  # participant_key(book, code), made once; None without a code


@dataclass
class Group:
    kind: str
    key: str
    label: str
    members: list[Member] = field(default_factory=list)


@dataclass
class ScaleAtTimePoint:
    scale: str
    tp: str
    stats: stats.TimePointStats
    n_complete: int
    ci_low: float | None
    ci_high: float | None
    ci_half: float | None  # stats.mean_ci_half: half the width of the 95% interval of the mean
    # Courses with a score here: a group's time points may pool different courses (the
    # registration questionnaire is asked on some course types only).
    courses: int = 0


@dataclass
class GroupResult:
    kind: str
    key: str
    label: str
    courses: int
    responses: dict[str, int]
    first_responses: int  # questionnaires at the first time point of each one's course
    attended: int | None  # over the courses whose details give it
    attended_at: dict[str, int]  # the same, over the courses that ask each time point
    responses_of_attended: dict[str, int]
    matched: dict[tuple[str, str], int]
    time_points: list[ScaleAtTimePoint]
    changes: dict[tuple[str, str, str], stats.PairedChange]
    contrasts: dict[str, stats.BaselineContrast]


class PooledData:
    """Every used response of every readable workbook, with what grouping needs."""

    def __init__(self, toolkit: Toolkit, books: list[ReturnedWorkbook]):
        self.toolkit = toolkit
        self.books = books
        self._agency_labels: dict[int | None, str] = {}
        agency_q = toolkit.profile.agency
        self.members: list[Member] = []
        # (book, tp, scale) → {participant key → score}, duplicates and blank codes removed
        self.unique: dict[tuple[int, str, str], dict[str, float]] = {}
        # (book, tp) → codes typed once at that time point (on any row typed)
        self.codes: dict[tuple[int, str], set[str]] = {}
        self.agency_of: dict[str, int | None] = {}
        for b, book in enumerate(books):
            course = toolkit.courses[book.course]
            first = course.tp_ids[0]
            by_tp: dict[str, list[Response]] = defaultdict(list)
            key_of: dict[str, str] = {}  # code → participant key, one string per participant
            for r in book.responses:
                by_tp[r.tp].append(r)
                if r.code and r.code not in key_of:
                    key_of[r.code] = participant_key(b, r.code)
            for tp, rows in by_tp.items():
                # Response codes are already normalised: stats.unique_scores, with the duplicates
                # found once per time point rather than once per scale.
                dupes = stats.duplicate_codes([r.code for r in rows])
                keyed = [(key_of[r.code], r) for r in rows if r.code and r.code not in dupes]
                self.codes[(b, tp)] = {r.code for _k, r in keyed}
                for scale in toolkit.scales_at(course, tp):
                    if scale.scored:
                        sid = scale.id
                        self.unique[(b, tp, sid)] = {k: s for k, r in keyed if (s := r.scores.get(sid)) is not None}
                if tp == first:
                    for k, r in keyed:
                        self.agency_of[k] = r.profile.get(agency_q)
            for r in book.responses:
                if not r.used:
                    continue
                key = key_of[r.code] if r.code else None
                if r.tp == first:
                    agency = r.profile.get(agency_q)
                else:
                    agency = self.agency_of.get(key) if key else None
                self.members.append(Member(b, r, agency, key))

    # -- groups ---------------------------------------------------------------------------

    def agency_label(self, code: int | None) -> str:
        labels = self._agency_labels
        if code not in labels:
            labels[code] = self._agency_label(code)
        return labels[code]

    def _agency_label(self, code: int | None) -> str:
        if code is None:
            return NOT_KNOWN
        q = next(q for q in self.toolkit.profile.questions if q.id == self.toolkit.profile.agency)
        option = next((o for o in q.options if o.code == code), None)
        return text(option.label, self.toolkit.settings.language) if option else NOT_KNOWN

    def book_groups(self, b: int) -> tuple[tuple[str, str, str], ...]:
        """(kind, key, label) of workbook ``b``'s course type, partnership-year and course."""
        toolkit = self.toolkit
        book = self.books[b]
        d = book.details
        course = toolkit.courses[book.course]
        partnership = d.partnership or NOT_KNOWN
        year = d.year or "year not known"
        return (("course_type", course.id, text(course.title, toolkit.settings.language)),
                ("partnership_year", f"{partnership.casefold()}\x1f{year}", f"{partnership}, {year}"),
                ("course", str(b), course_label(book, toolkit)))

    def groups(self) -> list[Group]:
        toolkit = self.toolkit
        out: dict[tuple[str, str], Group] = {}

        def add(kind: str, key: str, label: str, m: Member):
            g = out.get((kind, key))
            if g is None:
                g = out[(kind, key)] = Group(kind, key, label)
            g.members.append(m)

        of_book: dict[int, tuple] = {}  # a workbook's groups other than its agencies, worked out once
        for m in self.members:
            keys = of_book.get(m.book)
            if keys is None:
                keys = of_book[m.book] = self.book_groups(m.book)
            add("all", "all", ALL_COURSES, m)
            add(*keys[0], m)
            add("agency", str(m.agency) if m.agency is not None else "", self.agency_label(m.agency), m)
            add(*keys[1], m)
            add(*keys[2], m)
        kinds = {k: i for i, k in enumerate(GROUP_KINDS)}
        gp = toolkit.profile.gp_code

        def order(g: Group):
            if g.kind == "agency":
                # GPs first and apart, then the agencies in the order the question lists them.
                code = int(g.key) if g.key else 10_000
                return (kinds[g.kind], 0 if code == gp else 1, code, "")
            if g.kind == "course":
                return (kinds[g.kind], 0, int(g.key), "")
            return (kinds[g.kind], 0, 0, g.label.casefold())

        return sorted(out.values(), key=order)

    # -- statistics -----------------------------------------------------------------------

    def result(self, group: Group) -> GroupResult:
        toolkit = self.toolkit
        books = sorted({m.book for m in group.members})
        courses = [toolkit.courses[self.books[b].course] for b in books]
        scale_order: list[str] = []
        for c in courses:
            for s in toolkit.course_scales(c):
                if s.scored and s.id not in scale_order:
                    scale_order.append(s.id)
        responses = {tp: 0 for tp in TIME_POINTS}
        first_tp = {b: toolkit.courses[self.books[b].course].tp_ids[0] for b in books}
        first_responses = 0
        by_scale_tp: dict[tuple[str, str], list[Response]] = defaultdict(list)
        books_at: dict[tuple[str, str], set[int]] = defaultdict(set)
        participants: set[str] = set()
        for m in group.members:
            r = m.response
            responses[r.tp] += 1
            first_responses += r.tp == first_tp[m.book]
            if m.key:
                participants.add(m.key)
            for sid in r.scores:
                by_scale_tp[(sid, r.tp)].append(r)
                books_at[(sid, r.tp)].add(m.book)
        responses = {tp: n for tp, n in responses.items() if n or any(tp in c.tp_ids for c in courses)}

        time_points = []
        for sid in scale_order:
            for tp in TIME_POINTS:
                rows = by_scale_tp.get((sid, tp))
                if rows is None:
                    continue
                n, mean, sd = stats.mean_sd(r.scores[sid] for r in rows)
                complete = [r.complete[sid] for r in rows if sid in r.complete]
                tps = stats.TimePointStats(n, mean, sd, stats.cronbach_alpha(complete))
                half = stats.mean_ci_half(n, sd)
                low, high = (None, None) if half is None or mean is None else (mean - half, mean + half)
                time_points.append(ScaleAtTimePoint(sid, tp, tps, len(complete), low, high, half,
                                                    len(books_at[(sid, tp)])))

        whole_books = group.kind != "agency"
        if not whole_books:
            agency = int(group.key) if group.key else None
            participants = {k for k in participants if self.agency_of.get(k) == agency}
        pairs, asked_changes, asked_contrasts = changes_asked(toolkit, courses, scale_order)
        changes: dict[tuple[str, str, str], stats.PairedChange] = {}
        for sid, a, b in asked_changes:
            before = self._scores(books, a, sid, participants, whole_books)
            after = self._scores(books, b, sid, participants, whole_books)
            changes[(sid, a, b)] = stats.paired_change(before, after)
        contrasts: dict[str, stats.BaselineContrast] = {}
        for sid in asked_contrasts:
            maps = [self._scores(books, tp, sid, participants, whole_books) for tp in ("t0", "t1", "t2")]
            contrasts[sid] = stats.baseline_contrast(*maps)

        matched = {}
        for a, b in pairs:
            if whole_books:
                matched[(a, b)] = sum(len(self.codes.get((bk, a), set()) & self.codes.get((bk, b), set())) for bk in books)
            else:
                matched[(a, b)] = self._matched_by_agency(a, b).get(agency, 0)
        attended = None
        attended_at: dict[str, int] = {}
        responses_of_attended: dict[str, int] = {}
        if whole_books:
            known = [bk for bk in books if self.books[bk].details.attended]
            if known:
                attended = sum(self.books[bk].details.attended for bk in known)
                for bk in known:
                    for tp in toolkit.courses[self.books[bk].course].tp_ids:
                        attended_at[tp] = attended_at.get(tp, 0) + self.books[bk].details.attended
                known_set = set(known)
                for m in group.members:
                    if m.book in known_set:
                        responses_of_attended[m.response.tp] = responses_of_attended.get(m.response.tp, 0) + 1
        return GroupResult(group.kind, group.key, group.label, len(books), responses, first_responses, attended,
                           attended_at, responses_of_attended, matched, time_points, changes, contrasts)

    def _scores(self, books, tp, sid, participants, whole_books) -> dict[str, float]:
        """Participant → score at ``tp`` over ``books`` (whole), or over ``participants`` only."""
        if not whole_books:
            every = self._all_scores(tp, sid)
            return {k: every[k] for k in participants if k in every}
        out: dict[str, float] = {}
        for bk in books:
            found = self.unique.get((bk, tp, sid))
            if found:
                out.update(found)
        return out

    def _matched_by_agency(self, a: str, b: str) -> dict[int | None, int]:
        """Agency → participants matched between ``a`` and ``b`` in every workbook (made once)."""
        cache = self.__dict__.setdefault("_matched", {})
        if (a, b) not in cache:
            counts: dict[int | None, int] = defaultdict(int)
            for bk in range(len(self.books)):
                for c in self.codes.get((bk, a), set()) & self.codes.get((bk, b), set()):
                    counts[self.agency_of.get(participant_key(bk, c))] += 1
            cache[(a, b)] = counts
        return cache[(a, b)]

    def _all_scores(self, tp, sid) -> dict[str, float]:
        """Every workbook's unique scores at ``tp`` in one map, made once (agency groups use it)."""
        key = (tp, sid)
        cache = self.__dict__.setdefault("_merged", {})
        if key not in cache:
            merged: dict[str, float] = {}
            for (bk, t, s), found in self.unique.items():
                if t == tp and s == sid:
                    merged.update(found)
            cache[key] = merged
        return cache[key]


def changes_asked(toolkit: Toolkit, courses, scale_order: list[str]):
    """What a group of ``courses`` reports: the pairs of time points any of them has; each
    (scale, earlier, later) change some course asks, in order; the scales with a double baseline."""
    pairs = [p for p in PAIR_ORDER if any(p in c.pairs for c in courses)]
    changes = [(sid, a, b) for sid in scale_order for a, b in pairs
               if any(asks(toolkit, c, sid, (a, b)) for c in courses)]
    contrasts = [sid for sid in scale_order
                 if any(c.double_baseline and asks(toolkit, c, sid, ("t0", "t1", "t2")) for c in courses)]
    return pairs, changes, contrasts


def asks(toolkit: Toolkit, course, scale_id: str, tps) -> bool:
    """Whether ``course`` asks the scale at every one of ``tps``."""
    return all(tp in course.tp_ids and scale_id in course.tp(tp).scales for tp in tps)


def participant_key(book: int, code: str) -> str:
    """A participant across the pooled data: codes are only unique within one workbook."""
    return f"{book}\x1f{code}"


def course_label(book: ReturnedWorkbook, toolkit: Toolkit) -> str:
    d = book.details
    parts = [d.title or text(toolkit.courses[book.course].title, toolkit.settings.language)]
    if d.partnership:
        parts.append(d.partnership)
    if d.start_date:
        parts.append(d.start_date.isoformat())
    return ", ".join(parts)


def course_result(toolkit: Toolkit, book: ReturnedWorkbook) -> GroupResult:
    """The results of one workbook alone, as its 'course' group (worked out where it is read)."""
    data = PooledData(toolkit, [book])
    # Its "course" group of PooledData.groups(), without making the others: every response.
    return data.result(Group("course", "0", course_label(book, toolkit), list(data.members)))
