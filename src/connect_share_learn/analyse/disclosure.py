"""Which numbers of the pooled results are published: small groups hidden, and enough others
that no hidden number can be worked out from the totals and the cells shown.

The result tables are linked. For every count — people with a score on a scale at a time
point, matched pairs, questionnaires, people matched by code — all courses = the sum over
course types = over partnership-years = over agencies, and each course type or
partnership-year = the sum of its courses; a few counts are linked across tables too (the
rows used, the response rates, the agency chart, the drop-out check). Sums of scores
(n × mean, and of squares through the SD) add up over the same groups, so hiding a group's
count with every statistic of it protects those as well.

As statistical offices do (primary and secondary cell suppression):

1. a count of 1 to :data:`MIN_CELL` − 1 people is hidden, with every statistic of its group;
2. wherever an equation would give a hidden cell back — it is the only one hidden there, or
   the hidden cells on one side add up to fewer than :data:`MIN_CELL` — the smallest shown
   part is hidden too, the total only when no part is left;
3. whether the equations *together* still determine a hidden cell is checked exactly (its unit
   vector in the row space of the equations over the unknowns), and each one found is freed
   by hiding the cheapest cell that the combination of equations giving it relies on; then 2
   and 3 again;
4. the greedy choices of 2 and 3 hide more than needed, so each cell hidden for another's
   sake is shown again — totals and large cells first — wherever 2 and 3 still hold without it.

A 0 is always shown (it discloses nobody), so hidden counts are known to be at least 1;
every writer shows hidden cells with one mark, whether they were small or hidden to protect
another. Cells are tuples ``(group kind, group key, measure, …)``, for instance
``("agency", "3", "tp", "attitudes", "t1")``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

MIN_CELL = 5

# Which cells to hide first when there is a choice: parts before the totals they add up to.
LEVEL = {"course": 0, "agency": 0, "partnership_year": 1, "course_type": 1, "all": 2}
ROWS_USED = ("all", "all", "rows_used")
# Cells hidden for another's sake are shown again in groups of at most this many.
MAX_SHOWN_TOGETHER = 12


@dataclass
class Links:
    """The linked tables: every published count, and the equations between them."""

    values: dict[tuple, int] = field(default_factory=dict)
    equations: list[tuple[list[tuple], list[tuple]]] = field(default_factory=list)  # Σ wholes = Σ parts
    latent: set[tuple] = field(default_factory=set)  # linked to the others, never published
    fixed: set[tuple] = field(default_factory=set)  # published whatever happens
    together: list[tuple[tuple, tuple]] = field(default_factory=list)  # (a, b): b hidden when a is


@dataclass(frozen=True)
class Disclosure:
    """The decision every output follows."""

    hidden: frozenset[tuple]

    def hides(self, group, *measure) -> bool:
        """Whether ``measure`` of ``group`` (anything with a kind and a key) is hidden."""
        return (group.kind, group.key, *measure) in self.hidden


def decide(results, baseline, parents: dict[str, tuple[str, str]], first_tp: dict[str, str],
           rows_used: int) -> Disclosure:
    """What may be published of ``results`` (every group's) and ``baseline`` (the drop-out check).

    ``parents`` gives each course's (course type, partnership-year) key, ``first_tp`` each
    course type's first time point; ``rows_used`` is published as it is.
    """
    return Disclosure(frozenset(hidden_cells(linked_tables(results, baseline, parents, first_tp, rows_used))))


# ---------------------------------------------------------------------------------------------
# The tables and how they are linked


def linked_tables(results, baseline, parents, first_tp, rows_used) -> Links:
    links = Links()
    values = links.values
    for g in results:
        group = (g.kind, g.key)
        for s in g.time_points:
            values[(*group, "tp", s.scale, s.tp)] = s.stats.n
        for (sid, a, b), change in g.changes.items():
            values[(*group, "change", sid, a, b)] = change.n_pairs
        for sid, contrast in g.contrasts.items():
            values[(*group, "contrast", sid)] = contrast.n
        for tp, n in g.responses.items():
            values[(*group, "responses", tp)] = n
        for tp in g.attended_at:  # the response rate gives those from the courses whose attendance is known
            values[(*group, "responded_of_attended", tp)] = g.responses_of_attended.get(tp, 0)
            links.together.append(((*group, "responses", tp), (*group, "responded_of_attended", tp)))
        for (a, b), n in g.matched.items():
            values[(*group, "matched", a, b)] = n
        if g.kind == "agency":
            values[(*group, "first")] = g.first_responses
    for x in baseline:
        values[(x.kind, x.key, "baseline_matched", x.scale, x.baseline, x.later)] = x.matched[0]
        values[(x.kind, x.key, "baseline_unmatched", x.scale, x.baseline, x.later)] = x.unmatched[0]
    values[ROWS_USED] = rows_used
    links.fixed.add(ROWS_USED)

    by_measure: dict[tuple, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for cell in values:
        by_measure[cell[2:]][cell[0]].append(cell)
    eq = links.equations
    for measure, kinds in by_measure.items():
        if not kinds.get("all"):
            continue
        for kind in ("course_type", "partnership_year", "agency"):
            if kinds.get(kind):
                eq.append((kinds["all"], kinds[kind]))
        courses = kinds.get("course", [])
        for level, kind in enumerate(("course_type", "partnership_year")):
            parts = defaultdict(list)
            for c in courses:
                parts[parents[c[1]][level]].append(c)
            for whole in kinds.get(kind, []) if courses else []:
                eq.append(([whole], parts[whole[1]]))
    eq.append(([ROWS_USED], [c for measure, kinds in by_measure.items() if measure[0] == "responses"
                             for c in kinds.get("all", [])]))
    for measure, kinds in by_measure.items():
        if measure[0] == "responded_of_attended":  # a course's own: all its questionnaires
            for c in kinds.get("course", []):
                eq.append(([c], [("course", c[1], "responses", measure[1])]))
    for x in baseline:
        if x.kind == "course_type":
            eq.append(([(x.kind, x.key, "tp", x.scale, x.baseline)],
                       [(x.kind, x.key, "baseline_matched", x.scale, x.baseline, x.later),
                        (x.kind, x.key, "baseline_unmatched", x.scale, x.baseline, x.later)]))
    _agency_chart(links, by_measure, first_tp)
    return links


def _agency_chart(links: Links, by_measure, first_tp: dict[str, str]) -> None:
    """The agency chart counts the questionnaires at each course's own first time point: it is
    linked to the course types' counts through the (never published) count of each agency at
    each time point of each course type."""
    agencies = [c[1] for c in by_measure.get(("first",), {}).get("agency", [])]
    if not agencies:
        return
    eq = links.equations
    by_type = defaultdict(list)
    for tp in ("t0", "t1", "t2", "t3"):
        types = [c[1] for c in by_measure.get(("responses", tp), {}).get("course_type", [])]
        for a in agencies:
            inner = [("agency", a, "agency_by_type", ct, tp) for ct in types]
            links.latent.update(inner)
            eq.append(([("agency", a, "responses", tp)], inner))
            for ct, cell in zip(types, inner):
                by_type[(ct, tp)].append(cell)
                if tp == first_tp[ct]:
                    by_type[("first", a)].append(cell)
        for ct in types:
            eq.append(([("course_type", ct, "responses", tp)], by_type[(ct, tp)]))
    for a in agencies:
        eq.append(([("agency", a, "first")], by_type[("first", a)]))


# ---------------------------------------------------------------------------------------------
# Suppression


def hidden_cells(links: Links, min_cell: int = MIN_CELL) -> set[tuple]:
    """The cells to hide: every count of 1 to ``min_cell`` − 1, and the complements that keep
    each of them (and every other hidden cell) from being worked out."""
    return _Suppression(links, min_cell).run()


class _Suppression:
    """The work on unknowns numbered 0…n−1; cells that an equation makes equal (a course's
    questionnaires and those of its response rate) are one unknown, shown or hidden together."""

    def __init__(self, links: Links, min_cell: int):
        self.min_cell = min_cell
        cells = list(links.values) + sorted(links.latent - links.values.keys())
        index = {c: i for i, c in enumerate(cells)}
        same = list(range(len(cells)))

        def root(i: int) -> int:
            while same[i] != i:
                same[i] = same[same[i]]
                i = same[i]
            return i

        equations = []
        for w, p in links.equations:
            # A cell no table has is 0: it adds nothing to an equation.
            w, p = [index[c] for c in w if c in index], [index[c] for c in p if c in index]
            if len(w) == len(p) == 1 and not (cells[w[0]] in links.latent or cells[p[0]] in links.latent):
                same[root(w[0])] = root(p[0])
            else:
                equations.append((w, p))
        number = {r: k for k, r in enumerate(dict.fromkeys(root(i) for i in range(len(cells))))}
        unknown_of = [number[root(i)] for i in range(len(cells))]
        self.cells: list[list[tuple]] = [[] for _ in number]
        for c, k in zip(cells, unknown_of):
            self.cells[k].append(c)
        self.value = [links.values.get(group[0], 0) for group in self.cells]
        self.latent = [any(c in links.latent for c in group) for group in self.cells]
        self.level = [min(LEVEL.get(c[0], 0) for c in group) for group in self.cells]
        self.open = [not self.latent[k] and self.value[k] > 0 and not any(c in links.fixed for c in group)
                     for k, group in enumerate(self.cells)]
        self.equations = [([unknown_of[i] for i in w], [unknown_of[i] for i in p]) for w, p in equations]
        self.of_cell: dict[int, list[int]] = defaultdict(list)
        for e, (w, p) in enumerate(self.equations):
            for k in dict.fromkeys(w + p):
                self.of_cell[k].append(e)
        self.together: dict[int, list[int]] = defaultdict(list)
        self.forced_by: dict[int, list[int]] = defaultdict(list)
        for a, b in links.together:
            if a in index and b in index and unknown_of[index[a]] != unknown_of[index[b]]:
                self.together[unknown_of[index[a]]].append(unknown_of[index[b]])
                self.forced_by[unknown_of[index[b]]].append(unknown_of[index[a]])
        self.with_latent = [any(self.latent[k] for k in w + p) for w, p in self.equations]
        self.hidden: set[int] = set()
        self.pending: set[int] = set()  # equations to look at again
        self.known_free: set[frozenset[int]] = set()  # groups of unknowns found not to determine any hidden cell

    def run(self) -> set[tuple]:
        for i, n in enumerate(self.value):
            if 0 < n < self.min_cell and self.open[i]:
                self.hide(i)
        primary = set(self.hidden)
        while True:
            self.settle()
            freed = [self.free(certificate, rows) for certificate, rows in self.determined()]
            if not any(freed):
                break
        self.show_spare(primary)
        return {c for k in self.hidden for c in self.cells[k]}

    def hide(self, i: int) -> None:
        if i in self.hidden:
            return
        self.hidden.add(i)
        self.pending.update(self.of_cell[i])
        for j in self.together[i]:
            self.hide(j)

    def unknown(self, i: int) -> bool:
        return i in self.hidden or self.latent[i]

    # -- one equation at a time

    def settle(self) -> None:
        """Until no equation gives a hidden cell, or a total of hidden cells under the minimum, back."""
        while self.pending:
            e = self.pending.pop()
            while self.gives_away(e):
                candidate = self.cheapest_part(e)
                if candidate is None:
                    break
                self.hide(candidate)

    def gives_away(self, e: int) -> bool:
        if self.with_latent[e]:
            return False
        wholes, parts = self.equations[e]
        hidden_wholes = [i for i in wholes if i in self.hidden]
        hidden_parts = [i for i in parts if i in self.hidden]
        if hidden_wholes and hidden_parts:
            return False  # only their difference is known
        side = hidden_wholes or hidden_parts
        return bool(side) and (len(side) == 1 or sum(self.value[i] for i in side) < self.min_cell)

    def cheapest_part(self, e: int) -> int | None:
        wholes, parts = self.equations[e]
        for side in (parts, wholes):
            shown = [i for i in side if self.open[i] and i not in self.hidden]
            if shown:
                return min(shown, key=lambda i: (self.value[i], i))
        return None

    # -- all equations together

    def determined(self) -> list[tuple[np.ndarray, list[int]]]:
        """For each group of linked unknowns whose equations determine a hidden cell, the
        combination of those equations that gives it, and the equations."""
        parent = {}

        def find(i):
            while parent.setdefault(i, i) != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        touching = []
        for e, (w, p) in enumerate(self.equations):
            unknowns = [i for i in w + p if self.unknown(i)]
            if unknowns:
                touching.append(e)
                for i in unknowns[1:]:
                    parent[find(i)] = find(unknowns[0])
        rows_of = defaultdict(list)
        for e in touching:
            w, p = self.equations[e]
            rows_of[find(next(i for i in w + p if self.unknown(i)))].append(e)
        found = []
        for rows in rows_of.values():
            given, certificate = self.solve(rows)
            if given:
                found.append((certificate, rows))
        return found

    def component(self, seeds: list[int]) -> list[int]:
        """The equations linked to the unknowns ``seeds`` through unknowns."""
        rows, seen, todo = set(), set(seeds), list(seeds)
        while todo:
            for e in self.of_cell[todo.pop()]:
                if e not in rows:
                    rows.add(e)
                    for i in sum(self.equations[e], []):
                        if i not in seen and self.unknown(i):
                            seen.add(i)
                            todo.append(i)
        return sorted(rows)

    def solve(self, rows: list[int]) -> tuple[list[int], np.ndarray | None]:
        """The hidden cells that the equations ``rows`` determine, and for the first of them the
        combination c of the equations that gives it alone (cᵀA = eᵢ)."""
        columns = sorted({i for e in rows for i in sum(self.equations[e], []) if self.unknown(i)})
        unknowns = frozenset(columns)
        if unknowns in self.known_free:
            return [], None
        at = {i: j for j, i in enumerate(columns)}
        a = np.zeros((len(rows), len(columns)))
        for r, e in enumerate(rows):
            w, p = self.equations[e]
            for sign, side in ((1.0, w), (-1.0, p)):
                for i in side:
                    if i in at:
                        a[r, at[i]] += sign
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        rank = int((s > 1e-9 * max(s.max(initial=0), 1)).sum())
        # Cell i is determined exactly when eᵢ lies in the row space: its projection there is whole.
        projection = (vt[:rank] ** 2).sum(axis=0)
        given = [j for j, i in enumerate(columns) if i in self.hidden and projection[j] > 1 - 1e-9]
        if not given:
            self.known_free.add(unknowns)
            return [], None
        return [columns[j] for j in given], u[:, :rank] @ (vt[:rank, given[0]] / s[:rank])

    def free(self, certificate: np.ndarray, rows: list[int]) -> bool:
        """Hide the cheapest shown cell that the combination of equations relies on (one whose
        coefficients there do not cancel), so that it no longer gives the hidden cell."""
        weight: dict[int, float] = defaultdict(float)
        for c, e in zip(certificate, rows):
            w, p = self.equations[e]
            for sign, side in ((1.0, w), (-1.0, p)):
                for i in side:
                    weight[i] += sign * c
        shown = [i for i, v in weight.items() if abs(v) > 1e-9 and self.open[i] and i not in self.hidden]
        if not shown:
            return False
        self.hide(min(shown, key=lambda i: (self.level[i], self.value[i], i)))
        return True

    # -- showing again what is not needed

    def show_spare(self, primary: set[int]) -> None:
        """Show again each cell hidden for another's sake that can be — alone, or with the hidden
        cells that showing it would give away (a course's count and the response rates that only
        it kept apart, say) — totals and large cells first."""
        again = True
        while again:  # showing one can free another tried before it
            again = False
            for i in sorted(self.hidden - primary, key=lambda i: (-self.level[i], -self.value[i], i)):
                if i in self.hidden and self.try_to_show({i}, primary):
                    again = True

    def try_to_show(self, cells: set[int], primary: set[int]) -> bool:
        while len(cells) <= MAX_SHOWN_TOGETHER:
            if any(j in self.hidden and j not in cells for i in cells for j in self.forced_by[i]):
                return False
            self.hidden -= cells
            around = {e for i in cells for e in self.of_cell[i]}
            if any(self.gives_away(e) for e in around):
                self.hidden |= cells
                return False
            neighbours = [j for e in around for j in sum(self.equations[e], []) if self.unknown(j)]
            given = self.solve(self.component(neighbours))[0] if neighbours else []
            if not given:
                return True
            self.hidden |= cells
            if any(j in primary for j in given):
                return False
            cells = cells | set(given)
        return False
