"""report.html: one static page for a training sub-group, from ``templates/report/report.html.j2``.

This module gathers the numbers (with the cells :mod:`disclosure` hides already hidden, by
:mod:`tables`) and draws the charts from them; every sentence a reader sees is in the template.
"""

from __future__ import annotations

from collections import Counter

import jinja2

from connect_share_learn import __version__
from connect_share_learn.analyse import svg, tables
from connect_share_learn.analyse.analysis import Analysis
from connect_share_learn.analyse.pooled import ALL_COURSES, NOT_KNOWN
from connect_share_learn.defaults import default_dir
from connect_share_learn.number_style import p_text
from connect_share_learn.spec.model import TIME_POINTS, text
from connect_share_learn.wording import MARKING, environment, language as language_of, load as load_wording, translating

# Beyond this many courses, per-course tables are left to results.xlsx: the page stays readable.
COURSES_IN_REPORT = 100
EFFECT_BANDS = [(0.2, "small_effect"), (0.5, "medium_effect"), (0.8, "large_effect")]


def wording(language: str = "en") -> dict:
    """Short wording of the outputs (sheet names, chart titles) from templates/report/wording.yaml."""
    return load_wording("report", language)


def scale_range(toolkit, sid: str) -> tuple[float, float]:
    scale = toolkit.scales[sid]
    fmt = toolkit.format_of(scale)
    if scale.knowledge:
        return 0.0, 100.0
    if scale.scoring == "sum":
        return fmt.min * len(scale.items), fmt.max * len(scale.items)
    return float(fmt.min), float(fmt.max)


def number(value, places: int = 2) -> str:
    """A statistic as the report prints it: a hidden cell's mark as is, blank when missing."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{places}f}"


def p_value(value) -> str:
    if value is None or isinstance(value, str):
        return number(value)
    return p_text(value)


def render_report(analysis: Analysis) -> str:
    env = environment(jinja2.FileSystemLoader(str(default_dir("templates") / "report")), autoescape=True,
                      keep_trailing_newline=False, **MARKING)
    translating(env, "report", analysis.toolkit.settings.language)
    env.filters["num"] = number
    env.filters["p"] = p_value
    return env.get_template("report.html.j2").render(**context(analysis))


def context(analysis: Analysis) -> dict:
    toolkit = analysis.toolkit
    lang = toolkit.settings.language
    words = wording(lang)
    tp_names = load_wording("common", lang)["time_points"]
    results = analysis.results
    published = analysis.published
    scale_title = {sid: text(s.title, lang) for sid, s in toolkit.scales.items()}
    course_title = {cid: text(c.title, lang) for cid, c in toolkit.courses.items()}
    # Research findings of the course types analysed only: a report of one course lists no others'.
    analysed = {book.course for book in analysis.books if not book.refused}
    named = GroupNames(words)
    tp_rows = named(tables.time_point_rows(results, published))
    change = named(tables.change_rows(results, published))

    # Headlines: start to end of course, by course type.
    headlines = []
    for row in change:
        if row["group_kind"] == "course_type" and row["pair"] == "t1_t2":
            headlines.append(dict(row, scale_title=scale_title[row["scale"]]))

    charts = []
    # Means with 95% CI by time point: one chart per scale, a line per course type.
    for sid in _scales_in(results):
        series = []
        for g in results:
            if g.kind != "course_type":
                continue
            points = []
            for tp in TIME_POINTS:
                s = next((x for x in g.time_points if x.scale == sid and x.tp == tp), None)
                ok = s is not None and s.stats.mean is not None and not published.hides(g, "tp", sid, tp)
                points.append((s.stats.mean, s.ci_low, s.ci_high) if ok else None)
            if any(points):
                series.append((g.label, points))
        if series:
            title = f"{scale_title[sid]}: {words['charts']['means']}"
            desc = "; ".join(f"{name}: " + ", ".join(f"{tp_names[tp]} {p[0]:.2f}" for tp, p in zip(TIME_POINTS, pts) if p)
                             for name, pts in series)
            charts.append(dict(kind="means", scale=sid, title=title,
                               svg=svg.line_chart(title, desc, [words["time_points_short"][t] for t in TIME_POINTS], series,
                                                  scale_range(toolkit, sid))))
    # Effect sizes against the conventional bands and the research benchmarks.
    bars = []
    for row in headlines:
        d = row["d"]
        research = [b for b in toolkit.benchmarks if b.course == _course_key(results, row["group"])
                    and b.scale == row["scale"] and (b.pair in (None, "t1_t2"))]
        note = number(d)
        if research and research[0].direction:
            note += " " + words["charts"]["research"].format(direction=words["directions"][research[0].direction])
        bars.append((f"{row['group']}: {row['scale_title']}", d if isinstance(d, float) else None, note))
    if bars:
        refs = [(v, words["charts"][k]) for v, k in EFFECT_BANDS]
        desc = "; ".join(f"{label}: d {note}" for label, _, note in bars)
        charts.append(dict(kind="effects", title=words["charts"]["effect_sizes"],
                           svg=svg.bar_chart(words["charts"]["effect_sizes"], desc, bars, refs)))
    # Attendance by agency at the first time point.
    agency_bars = [(named.label(label), None if isinstance(n, str) else float(n), number(n))
                   for label, n in tables.agency_rows(results, published)]
    if agency_bars:
        desc = "; ".join(f"{label}: {note}" for label, _, note in agency_bars)
        charts.append(dict(kind="agency", title=words["charts"]["attendance"],
                           svg=svg.bar_chart(words["charts"]["attendance"], desc, agency_bars)))

    rules = Counter(p.rule for p in analysis.problems)
    cat = load_wording("quality", lang)["rules"]
    quality_summary = [dict(rule=r, count=n, problem=cat[r]["problem"].format(detail="…").replace("….", "…"), action=cat[r]["action"])
                       for r, n in sorted(rules.items(), key=lambda kv: -kv[1])]
    refused = [dict(file=b.file, problem=cat[b.problems[0].rule]["problem"].format(detail=b.problems[0].detail))
               for b in analysis.books if b.refused]
    courses = []
    for g in results:
        if g.kind == "course":
            book = analysis.data.books[int(g.key)]
            courses.append(dict(file=book.file, label=named.label(g.label), course_type=course_title[book.course],
                                responses={tp: tables.responses_shown(g, tp, published) for tp in g.responses},
                                attended=g.attended))
    return dict(
        version=__version__, analysed_on=analysis.analysed_on.isoformat(), acc=analysis.accounting,
        words=words, headlines=headlines, charts=charts, lang=lang, direction_of_text=language_of(lang).direction,
        tp_rows=tp_rows, change_rows=change, contrast_rows=named(tables.contrast_rows(results, published)),
        response_rows=named(tables.response_rows(results, published)),
        matched_rows=named(tables.matched_rows(results, published)),
        baseline_rows=named(tables.baseline_rows(analysis.baseline, published)),
        item_total_rows=[r for r in tables.item_total_rows(analysis.item_totals) if r["flag"]],
        quality_summary=quality_summary, refused=refused, courses=courses[:COURSES_IN_REPORT],
        courses_total=len(courses), courses_limit=COURSES_IN_REPORT,
        near_matches=rules.get("near_match", 0), scale_title=scale_title, tp_name=tp_names,
        pair_name=words["pairs"], kinds=words["group_kinds"], min_cell=tables.MIN_CELL, hidden=tables.SUPPRESSED,
        research=[dict(course=course_title.get(b.course, b.course), scale=scale_title.get(b.scale, b.scale),
                       direction=words["directions"][b.direction] if b.direction else None, n=b.n, significance=b.significance, note=text(b.note, lang) if b.note else "")
                  for b in toolkit.benchmarks if b.source == "research" and b.course in analysed],
    )


class GroupNames:
    """The groups the analysis names in English itself ("All courses", an agency "Not known"),
    named in the wording's language in a table's rows; every other group keeps its own name."""

    def __init__(self, words: dict):
        self.names = {ALL_COURSES: words["group_kinds"]["all"], NOT_KNOWN: words["not_known"]}

    def label(self, name):
        return self.names.get(name, name)

    def __call__(self, rows: list[dict]) -> list[dict]:
        return [dict(row, group=self.label(row["group"])) if row.get("group") in self.names else row for row in rows]


def _scales_in(results) -> list[str]:
    seen: list[str] = []
    for g in results:
        for s in g.time_points:
            if s.scale not in seen:
                seen.append(s.scale)
    return seen


def _course_key(results, label: str) -> str | None:
    return next((g.key for g in results if g.kind == "course_type" and g.label == label), None)
