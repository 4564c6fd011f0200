"""The codebook: every question of every course, as the workbook and questionnaires ask it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course, Scale, has_text, text
from connect_share_learn.wording import load


@dataclass(frozen=True)
class CodebookRow:
    course: str
    scale: str
    item: str
    wording: str
    format: str
    min: int | None
    max: int | None
    codes: str
    reverse: bool
    key: int | None
    time_points: str
    scoring: str
    # In an edition in other languages: the wording and answers in each, and the languages
    # whose wording is missing, so that English is printed in their place.
    wordings: tuple[tuple[str, str], ...] = ()
    answers: tuple[tuple[str, str], ...] = ()
    in_english: tuple[str, ...] = ()


COLUMNS = [f.name for f in fields(CodebookRow)][:12]


def course_rows(toolkit: Toolkit, course: Course) -> list[CodebookRow]:
    """The profile questions, then each scale's items in the order they are asked."""
    lang = toolkit.settings.language
    languages = toolkit.settings.editions
    first = course.tp_ids[0]
    rows = []

    def editions(value, options) -> dict:
        if languages == ("en",):
            return {}
        return dict(wordings=tuple((x, text(value, x)) for x in languages),
                    answers=tuple((x, _codes(options, x)) for x in languages),
                    in_english=tuple(x for x in languages if not has_text(value, x)
                                     or not all(has_text(o.label, x) for o in options)))

    for q in toolkit.profile.questions:
        codes = [o.code for o in q.options]
        rows.append(CodebookRow(course.id, "profile", q.id, text(q.text, lang), "choice", min(codes), max(codes),
                                _codes(q.options, lang), False, None, first, _rules(lang)["none"],
                                **editions(q.text, q.options)))
    for scale in toolkit.course_scales(course):
        fmt = toolkit.format_of(scale)
        tps = " ".join(toolkit.time_points_of(course, scale))
        lo = hi = None
        if fmt.kind == "rating":
            lo, hi = fmt.min, fmt.max
        elif fmt.kind == "choice":
            lo, hi = min(fmt.codes), max(fmt.codes)
        for item in scale.items:
            rows.append(CodebookRow(course.id, scale.id, item.id, text(item.text, lang), fmt.id, lo, hi,
                                    _codes(fmt.answers(), lang), item.reverse, item.key, tps, scoring_rule(scale, lang),
                                    **editions(item.text, fmt.answers())))
    return rows


def _rules(language: str = "en") -> dict[str, str]:
    return load("scoring", language)


def scoring_rule(scale: Scale, language: str = "en") -> str:
    """How the scale's score is worked out, in words (a summed scale's prorating included)."""
    return _rules(language)[scale.scoring].format(k=len(scale.items), min=scale.min_answered)


def all_rows(toolkit: Toolkit, courses: list[Course] | None = None) -> list[CodebookRow]:
    courses = courses if courses is not None else list(toolkit.courses.values())
    return [row for course in courses for row in course_rows(toolkit, course)]


def _codes(options, lang: str) -> str:
    return "; ".join(f"{o.code}={text(o.label, lang)}" for o in options)


def columns(rows: list[CodebookRow]) -> list[str]:
    """The codebook's columns: an edition in other languages has a wording and answers column
    per language (``wording_cy``, ``wording_en``) and ``in_english``, the languages whose
    wording is printed in English because it is not translated."""
    languages = [x for x, _ in rows[0].wordings] if rows and rows[0].wordings else []
    if not languages:
        return list(COLUMNS)
    out = []
    for name in COLUMNS:
        if name in ("wording", "codes"):
            out += [f"{name}_{x}" for x in languages]
        else:
            out.append(name)
    return out + ["in_english"]


def values(row: CodebookRow, names: list[str]) -> list:
    """The row's value in each of ``names`` (see :func:`columns`)."""
    by_language = {f"wording_{x}": v for x, v in row.wordings} | {f"codes_{x}": v for x, v in row.answers}
    by_language["in_english"] = " ".join(row.in_english)
    return [by_language[n] if n in by_language else getattr(row, n) for n in names]


def to_csv(rows: list[CodebookRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = columns(rows)
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if v is None else ("yes" if v is True else "no" if v is False else v)
                         for v in values(row, names)])
    # A byte-order mark so Excel opens the accents and curly quotes correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows: list[CodebookRow], path, created) -> None:
    """The codebook as a one-sheet workbook with a header row, filters and frozen panes."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    workbook.set_properties({"created": created, "title": "connect-share-learn codebook"})
    sheet = workbook.add_worksheet("Codebook")
    bold = workbook.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    widths = {"wording": 70, "codes": 40, "scale": 28, "course": 24, "time_points": 12}
    names = columns(rows)
    for col, name in enumerate(names):
        kind = name.split("_")[0] if name.startswith(("wording_", "codes_")) else name
        sheet.write_string(0, col, name, bold)
        sheet.set_column(col, col, widths.get(kind, 10), wrap if kind in ("wording", "codes") else None)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(values(row, names)):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_string(r, col, "yes" if value else "no")
            elif isinstance(value, int):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(names) - 1)
    workbook.close()


def render(ctx) -> None:
    """Pack part: ``codebook.csv`` and ``codebook.xlsx`` for the courses being built."""
    rows = all_rows(ctx.toolkit, ctx.courses)
    (ctx.folder / "codebook.csv").write_bytes(to_csv(rows))
    write_xlsx(rows, ctx.folder / "codebook.xlsx", ctx.options.created)
    fallbacks = _fallbacks(ctx.toolkit, [c.id for c in ctx.courses])
    if fallbacks:
        (ctx.folder / "codebook-fallbacks.csv").write_bytes(fallbacks)


def _fallbacks(toolkit: Toolkit, courses: list[str]) -> bytes | None:
    """Every text of an incomplete language edition printed in English instead, one a row
    (built with --allow-incomplete); None when nothing is."""
    from connect_share_learn import translations

    rows = [(language, gap.where, gap.context, gap.state, " ".join(gap.english.split()))
            for language in toolkit.settings.editions
            for gap in translations.check(toolkit, language, courses, translations.PACK_PARTS)]
    if not rows:
        return None
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["language", "where", "context", "state", "printed_in_english"])
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
