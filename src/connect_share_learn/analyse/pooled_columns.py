"""The pooled data as columns: every group's results without walking its members one by one.

:meth:`PooledData.result` works a group out from its members, which is right for one course
and slow for the thousands of people behind a pooled group (the same people are in the
whole, their course type, their agency and their partnership's year). Here the scores are
laid out once, per scale and time point, as numpy arrays over every response (which
workbook, which agency, which participant); a group is then a mask, and each statistic is
the :mod:`stats` twin (``mean_sd_counted``, ``cronbach_alpha_from``, ``paired_change_from``) of
the numbers the mask selects. The twins do the same float operations on the same numbers, so a
result equals :meth:`PooledData.result` bit for bit (tests/test_analyse_pooled.py checks it).

The arrays are few large objects: forked workers read them without touching (and so
copying) the millions of small objects a pooled analysis holds.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from connect_share_learn import stats
from connect_share_learn.analyse.pooled import (
    PAIR_ORDER, Group, GroupResult, PooledData, ScaleAtTimePoint, changes_asked, participant_key,
)
from connect_share_learn.spec.model import TIME_POINTS

# An agency that is not known (no answer, or no first-time-point row to take it from).
NO_AGENCY = np.iinfo(np.int64).min


class _Counted:
    """A column of numbers as the distinct numbers it holds and, per row, which one: a group's
    numbers are then counted (``np.bincount``) rather than listed. Numbers are told apart by
    their bits, so 0.0 and -0.0 stay two numbers, as they are to ``math.fsum``."""

    def __init__(self, numbers: np.ndarray):
        bits, code = np.unique(np.ascontiguousarray(numbers, dtype=np.float64).view(np.int64), return_inverse=True)
        self.values = bits.view(np.float64)
        # The smallest integers that hold the codes: a few distinct answers are one byte a row.
        self.code = code.reshape(-1).astype(np.min_scalar_type(max(len(bits) - 1, 0)))
        nan = np.flatnonzero(np.isnan(self.values))
        self.nan = int(nan[0]) if len(nan) else -1  # NaN stands for "no score"; one NaN is ever written

    def mean_sd(self, rows: np.ndarray) -> tuple[int, stats.Number, stats.Number]:
        """:func:`stats.mean_sd` of the numbers of the rows chosen (a mask), NaN left out."""
        counts = np.bincount(self.code[rows], minlength=len(self.values))
        if self.nan >= 0:
            counts[self.nan] = 0
        present = np.flatnonzero(counts)
        return stats.mean_sd_counted(self.values[present].tolist(), counts[present].tolist())


def _mean_sd(numbers: np.ndarray) -> tuple[int, stats.Number, stats.Number]:
    """:func:`stats.mean_sd` of an array of numbers (none NaN)."""
    bits, counts = np.unique(numbers.view(np.int64), return_counts=True)
    return stats.mean_sd_counted(bits.view(np.float64).tolist(), counts.tolist())


class _ScaleColumn:
    """One scale at one time point: a row per response holding the scale (scored or not), and
    a row per response that answered every item validly (for alpha)."""

    def __init__(self, owners: list[int], scores: list[float], complete_owners: list[int], complete: list):
        self.owner = np.asarray(owners, dtype=np.int32)  # the response (index into members)
        self.score = _Counted(np.asarray(scores, dtype=np.float64))  # NaN where not scored
        self.complete_owner = np.asarray(complete_owners, dtype=np.int32)
        k = len(complete[0]) if complete else 0
        # The complete rows' item values as an n × k matrix, in the order of the responses.
        self.matrix = (np.frombuffer(b"".join(complete), dtype=np.float64).reshape(-1, k) if complete
                       else np.empty((0, 0)))
        self.items = [_Counted(self.matrix[:, j]) for j in range(k)]
        self.totals = _Counted(np.asarray(list(map(math.fsum, complete)), dtype=np.float64))


class PooledColumns:
    """:class:`PooledData` laid out as arrays, to work out pooled groups' results."""

    def __init__(self, data: PooledData):
        self.data = data
        toolkit = data.toolkit
        books = data.books
        n_members = len(data.members)
        tp_index = {tp: i for i, tp in enumerate(TIME_POINTS)}
        first_tp = [toolkit.courses[b.course].tp_ids[0] for b in books]
        participant_of: dict[str, int] = {}
        columns: dict[tuple[str, str], tuple[list, list, list, list]] = defaultdict(lambda: ([], [], [], []))
        nan = math.nan
        member_book, member_tp, member_agency, member_first, member_participant = [], [], [], [], []
        for i, m in enumerate(data.members):
            r = m.response
            tp = r.tp
            member_book.append(m.book)
            member_tp.append(tp_index[tp])
            member_agency.append(NO_AGENCY if m.agency is None else m.agency)
            member_first.append(tp == first_tp[m.book])
            member_participant.append(participant_of.setdefault(m.key, len(participant_of)) if m.key else -1)
            for sid, s in r.scores.items():
                owners, scores, _, _ = columns[(sid, tp)]
                owners.append(i)
                scores.append(nan if s is None else s)
            for sid, values in r.complete.items():
                _, _, complete_owners, complete = columns[(sid, tp)]
                complete_owners.append(i)
                complete.append(values)
        self.member_book = np.asarray(member_book, dtype=np.int32).reshape(n_members)
        self.member_tp = np.asarray(member_tp, dtype=np.int8).reshape(n_members)
        self.member_agency = np.asarray(member_agency, dtype=np.int64).reshape(n_members)
        self.member_first = np.asarray(member_first, dtype=bool).reshape(n_members)
        self.member_participant = np.asarray(member_participant, dtype=np.int64).reshape(n_members)
        self.columns = {key: _ScaleColumn(*lists) for key, lists in columns.items()}
        # Each participant's unique score per time point and scale (NaN where none), by the
        # participant's number; participants are numbered as met, members first.
        unique: dict[tuple[str, str], tuple[list, list]] = defaultdict(lambda: ([], []))
        for (bk, tp, sid), found in data.unique.items():
            ids, scores = unique[(tp, sid)]
            for key, score in found.items():
                ids.append(participant_of.setdefault(key, len(participant_of)))
                scores.append(score)
        # Participants typed once at each time point (on any row): the workbook's Matched counts.
        typed_once: dict[str, list[int]] = defaultdict(list)
        for (bk, tp), codes in data.codes.items():
            typed_once[tp] += [participant_of.setdefault(participant_key(bk, c), len(participant_of)) for c in codes]
        n_participants = len(participant_of)
        self.unique: dict[tuple[str, str], np.ndarray] = {}
        for key, (ids, scores) in unique.items():
            column = np.full(n_participants, math.nan)
            column[np.asarray(ids, dtype=np.int64)] = scores
            self.unique[key] = column
        participant_book = np.empty(n_participants, dtype=np.int64)
        participant_agency = np.empty(n_participants, dtype=np.int64)
        agency_of = data.agency_of
        for key, p in participant_of.items():
            participant_book[p] = int(key.split("\x1f", 1)[0])
            agency = agency_of.get(key)
            participant_agency[p] = NO_AGENCY if agency is None else agency
        self.participant_book, self.participant_agency = participant_book, participant_agency
        nobody = np.zeros(n_participants, dtype=bool)
        self.once = defaultdict(lambda: nobody)  # time point → whether each participant's code is typed once there
        for tp, ids in typed_once.items():
            self.once[tp] = np.zeros(n_participants, dtype=bool)
            self.once[tp][np.asarray(ids, dtype=np.int64)] = True
        self.matched = {(a, b): self.once[a] & self.once[b] for a, b in PAIR_ORDER}
        # Per workbook: which course type and partnership-year it belongs to.
        self.book_keys = [tuple(key for _kind, key, _label in data.book_groups(b)[:2]) for b in range(len(books))]
        self.attended = np.asarray([b.details.attended or 0 for b in books], dtype=np.int64)

    # -- a group ---------------------------------------------------------------------------

    def typed_once(self, tp: str, participants: np.ndarray) -> np.ndarray:
        """Whether each of ``participants`` (numbers, -1 for none) has its code typed once at ``tp``."""
        once = self.once[tp]
        if not len(once):
            return np.zeros(len(participants), dtype=bool)
        return once[np.where(participants >= 0, participants, 0)] & (participants >= 0)

    def members_of(self, group: Group) -> np.ndarray:
        """Which responses are the group's (a mask over the members)."""
        if group.kind == "agency":
            return self.member_agency == (int(group.key) if group.key else NO_AGENCY)
        if group.kind == "all":
            return np.ones(len(self.member_book), dtype=bool)
        if group.kind == "course":
            return self.member_book == int(group.key)
        at = 0 if group.kind == "course_type" else 1
        books = np.asarray([keys[at] == group.key for keys in self.book_keys], dtype=bool)
        return books[self.member_book] if len(books) else np.zeros(0, dtype=bool)

    def result(self, group: Group) -> GroupResult:
        """The group's results: :meth:`PooledData.result`, the same numbers."""
        data = self.data
        toolkit = data.toolkit
        chosen = self.members_of(group)
        books = np.unique(self.member_book[chosen]).tolist()
        course_ids = list(dict.fromkeys(data.books[b].course for b in books))
        courses = [toolkit.courses[c] for c in course_ids]
        scale_order: list[str] = []
        for c in courses:
            for s in toolkit.course_scales(c):
                if s.scored and s.id not in scale_order:
                    scale_order.append(s.id)
        counts = np.bincount(self.member_tp[chosen], minlength=len(TIME_POINTS))
        responses = {tp: int(counts[i]) for i, tp in enumerate(TIME_POINTS)}
        responses = {tp: n for tp, n in responses.items() if n or any(tp in c.tp_ids for c in courses)}
        first_responses = int(np.count_nonzero(self.member_first[chosen]))

        time_points = []
        for sid in scale_order:
            for tp in TIME_POINTS:
                column = self.columns.get((sid, tp))
                if column is None:
                    continue
                rows = chosen[column.owner]
                if not rows.any():
                    continue
                n, mean, sd = column.score.mean_sd(rows)
                complete = chosen[column.complete_owner]
                n_complete = int(np.count_nonzero(complete))
                alpha = None
                if n_complete >= 2 and len(column.items) >= 2:
                    alpha = stats.cronbach_alpha_from(n_complete, [item.mean_sd(complete)[2] for item in column.items],
                                                      column.totals.mean_sd(complete)[2])
                tps = stats.TimePointStats(n, mean, sd, alpha)
                half = stats.mean_ci_half(n, sd)
                low, high = (None, None) if half is None or mean is None else (mean - half, mean + half)
                courses_here = len(np.unique(self.member_book[column.owner[rows]]))
                time_points.append(ScaleAtTimePoint(sid, tp, tps, n_complete, low, high, half, courses_here))

        whole_books = group.kind != "agency"
        if whole_books:
            in_books = np.zeros(len(data.books), dtype=bool)
            in_books[books] = True
            participants = in_books[self.participant_book] if len(self.participant_book) else np.zeros(0, dtype=bool)
        else:
            agency = int(group.key) if group.key else None
            participants = np.zeros(len(self.participant_book), dtype=bool)
            ids = self.member_participant[chosen]
            participants[ids[ids >= 0]] = True
            participants &= self.participant_agency == (NO_AGENCY if agency is None else agency)
        pairs, asked_changes, asked_contrasts = changes_asked(toolkit, courses, scale_order)
        changes: dict[tuple[str, str, str], stats.PairedChange] = {}
        for sid, a, b in asked_changes:
            before, after = self._scores(a, sid, participants), self._scores(b, sid, participants)
            both = ~np.isnan(before) & ~np.isnan(after)
            before, after = before[both], after[both]
            change = after - before
            changes[(sid, a, b)] = stats.paired_change_from(
                _mean_sd(change), _mean_sd(before)[2], _mean_sd(after)[2], int(np.count_nonzero(change > 0)))
        contrasts: dict[str, stats.BaselineContrast] = {}
        for sid in asked_contrasts:
            t0, t1, t2 = (self._scores(tp, sid, participants) for tp in ("t0", "t1", "t2"))
            every = ~np.isnan(t0) & ~np.isnan(t1) & ~np.isnan(t2)
            t0, t1, t2 = t0[every], t1[every], t2[every]
            contrasts[sid] = stats.baseline_contrast_from(_mean_sd((t2 - t1) - (t1 - t0)))

        matched = {}
        for a, b in pairs:
            if whole_books:
                matched[(a, b)] = int(np.count_nonzero(self.matched[(a, b)] & participants))
            else:
                matched[(a, b)] = int(np.count_nonzero(
                    self.matched[(a, b)] & (self.participant_agency == (NO_AGENCY if agency is None else agency))))
        attended = None
        attended_at: dict[str, int] = {}
        responses_of_attended: dict[str, int] = {}
        if whole_books:
            known = [bk for bk in books if data.books[bk].details.attended]
            if known:
                attended = int(self.attended[known].sum())
                for bk in known:
                    for tp in toolkit.courses[data.books[bk].course].tp_ids:
                        attended_at[tp] = attended_at.get(tp, 0) + data.books[bk].details.attended
                known_books = np.zeros(len(data.books), dtype=bool)
                known_books[known] = True
                of_known = np.bincount(self.member_tp[chosen & known_books[self.member_book]],
                                       minlength=len(TIME_POINTS))
                # In the order the members first meet each time point, as PooledData.result builds it.
                order = self.member_tp[chosen & known_books[self.member_book]]
                for i in dict.fromkeys(order.tolist()):
                    responses_of_attended[TIME_POINTS[i]] = int(of_known[i])
        return GroupResult(group.kind, group.key, group.label, len(books), responses, first_responses, attended,
                           attended_at, responses_of_attended, matched, time_points, changes, contrasts)

    def _scores(self, tp: str, sid: str, participants: np.ndarray) -> np.ndarray:
        """Each chosen participant's unique score at ``tp`` (NaN where none), by participant number."""
        column = self.unique.get((tp, sid))
        if column is None:
            return np.full(int(np.count_nonzero(participants)), math.nan)
        return column[participants]
