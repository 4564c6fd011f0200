"""The results-summary letter filled with one course's figures from its returned workbook.

``csl letters results_summary --workbook FILE`` writes the letter that the pack leaves for
hand-filling, with the figures of the workbook's Summary sheet. They are not copied from the
workbook's cells (a file never recalculated holds no results there): the workbook is read as
``csl analyse`` reads it (:mod:`connect_share_learn.analyse.returned`, through the one guarded
reader), its course's results are analyse's, a count of fewer than 5 people is hidden as
analyse hides it (:mod:`connect_share_learn.analyse.disclosure`, shown as "[c]"), and every
figure is printed in the workbook's number style (:mod:`connect_share_learn.number_style`).
A figure that cannot be worked out (too few people) is blank, as on the Summary sheet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from connect_share_learn import letter_context, stats
from connect_share_learn.analyse import tables
from connect_share_learn.analyse.analysis import Analysis
from connect_share_learn.analyse.pooled import GroupResult
from connect_share_learn.analyse.quality import wording as problem_wording
from connect_share_learn.analyse.returned import ReturnedWorkbook
from connect_share_learn.errors import InputError, UsageError
from connect_share_learn.files import check_out, staged
from connect_share_learn.letter_context import context_for, long_date
from connect_share_learn.letters import document_title, pdf_name, safe_file_name, template_for
from connect_share_learn.logo import read as read_logo
from connect_share_learn.number_style import fixed, p_text
from connect_share_learn.spec.model import text
from connect_share_learn.spec.toolkit import Toolkit
from connect_share_learn.workbook.layout import paired_scales
from connect_share_learn.workbook.readings import reading
from connect_share_learn.workbook.words import tp_name, wording as workbook_wording
from connect_share_learn.wording import load as load_wording

LETTER = "results_summary"
COMMAND = "csl letters"


@dataclass
class FilledLetter:
    letter: Path
    pdf: Path | None
    course: str
    warnings: list[str]


# ---------------------------------------------------------------------------------------------
# The course's figures


def read_course(toolkit: Toolkit, workbook: Path) -> Analysis:
    """``csl analyse`` of the one workbook; refuses (one sentence naming the file) a file that is
    not a readable workbook of this toolkit, the example workbook, and one with no answers typed."""
    from connect_share_learn.analyse.run import analyse

    if workbook.is_dir():
        raise UsageError(f"{workbook} is a folder: give --workbook one course's returned workbook (.xlsx)")
    analysis = analyse(toolkit, [workbook], workers=1)
    book = analysis.books[0]
    if book.refused:
        raise _refused(workbook, book)
    if not book.rows_used:
        raise InputError(workbook, "no answers have been typed into this workbook, so there are no figures to "
                         "put in the letter", "type the questionnaires into it first, or give the workbook of a "
                         "course whose questionnaires are typed in")
    return analysis


def _refused(path: Path, book: ReturnedWorkbook) -> InputError:
    """Why the analysis refused the file, in the words of its quality report."""
    problem, action = problem_wording(book.problems[0])
    problem = problem.rstrip(".")
    hint = action.split(": ", 1)[1] if ": " in action else "check it is the course's returned workbook"
    return InputError(path, problem[0].lower() + problem[1:], hint)


def course_result(analysis: Analysis) -> GroupResult:
    return next(g for g in analysis.results if g.kind == "course")


def summary(toolkit: Toolkit, analysis: Analysis, language: str | None = None) -> dict:
    """The letter's ``summary``: the figures of the workbook's Summary sheet, as text."""
    lang = language or toolkit.settings.language
    w = workbook_wording(lang)
    said = load_wording("letters", lang)["summary_readings"]
    book = analysis.books[0]
    course = toolkit.courses[book.course]
    g = course_result(analysis)
    published = analysis.published
    d = book.details
    end = d.end_date if d.end_date and d.end_date != d.start_date else None
    out = {
        "workbook": Path(book.file).name,
        "course": d.title or text(course.title, lang),
        "start": long_date(d.start_date, lang) if d.start_date else "",
        "end": long_date(end, lang) if end else "",
        "attended": _count(d.attended),
        "counts": [{"name": tp_name(w, tp, code=False), "entered": _count(tables.responses_shown(g, tp, published))}
                   for tp in course.tp_ids],
        "pair": None,
        "matched": "",
        "scales": [],
    }
    if not course.pairs:
        return out
    a, b = course.pairs[0]  # the Summary sheet's main comparison
    out["pair"] = {"a": tp_name(w, a, code=False), "b": tp_name(w, b, code=False),
                   "span": w["comparisons"][f"{a}_{b}"]["span"]}
    out["matched"] = _count(tables.SUPPRESSED if published.hides(g, "matched", a, b) else g.matched.get((a, b)))
    rows = {(r["scale"], r["pair"]): r for r in tables.change_rows([g], published)}
    for scale in paired_scales(toolkit, course, a, b):
        title = text(scale.title, lang)
        row = rows[(scale.id, f"{a}_{b}")]
        if row["n_pairs"] == tables.SUPPRESSED:
            hidden = tables.SUPPRESSED
            out["scales"].append({"title": title, "before": hidden, "after": hidden, "change": hidden,
                                  "ci_low": hidden, "ci_high": "", "d": hidden, "improved": hidden, "p": hidden,
                                  "n_pairs": hidden, "reading": said["hidden"].format(scale=title)})
            continue
        change = g.changes[(scale.id, a, b)]
        before, after = stats.paired_means(analysis.data.unique.get((0, a, scale.id), {}),
                                           analysis.data.unique.get((0, b, scale.id), {}), change)
        words = reading(w, title, scale, a, b, change) if change.n_pairs >= 2 \
            else said["not_enough"].format(scale=title)
        out["scales"].append({
            "title": title, "before": _fixed(before, 1), "after": _fixed(after, 1),
            "change": _fixed(change.mean_change, 1), "ci_low": _fixed(change.ci_low, 1),
            "ci_high": _fixed(change.ci_high, 1), "d": _fixed(change.d, 2),
            "improved": "" if change.pct_improved is None else f"{fixed(change.pct_improved, 0)}%",
            "p": "" if change.p is None else p_text(change.p), "n_pairs": str(change.n_pairs), "reading": words,
        })
    return out


def _fixed(x, decimals: int) -> str:
    return "" if x is None else fixed(x, decimals)


def _count(n) -> str:
    return "" if n is None else str(n)


# ---------------------------------------------------------------------------------------------
# The letter


def write(toolkit: Toolkit, workbook: Path, out: Path, created: dt.datetime, date: dt.date | None = None,
          pdf: bool = False, large_print: bool = False, force: bool = False,
          settings_file: Path | None = None) -> FilledLetter:
    """Write ``out/results_summary/<workbook's name>.docx`` (and .pdf) filled from ``workbook``.

    A letter written before by this command is replaced; any other file of that name (or one
    changed since) only with ``force``. The workbook is only ever read.
    """
    analysis = read_course(toolkit, workbook)
    book = analysis.books[0]
    course = toolkit.courses[book.course]
    language = toolkit.settings.language
    # For the training sub-group: in the edition's first language (the letters' layout of it).
    template = template_for(LETTER, language, large_print=large_print, logo=read_logo(toolkit.settings))
    context = context_for(toolkit, course, letter_context.wording(language))
    context["from_workbook"] = True
    # Eight columns of figures do not fit across a page in large print: a table per scale instead.
    context["summary"] = {**summary(toolkit, analysis, language), "large_print": large_print}
    if date:
        context["letter_date"] = long_date(date, language)
    if pdf:
        from connect_share_learn import office

        if office.soffice() is None:
            raise UsageError(f"--pdf needs LibreOffice, which is not installed: {office.INSTALL_HINT}")
    folder = out / (LETTER + ("-large-print" if large_print else ""))
    name = safe_file_name(workbook.stem) + ".docx"
    names = [name] + ([pdf_name(name)] if pdf else [])
    record = check_out([workbook], folder, names, COMMAND, force)
    with staged(folder, "letter", ".csl-letters-") as stage:
        template.write(context, stage.folder / name, document_title(LETTER, course, toolkit), toolkit.settings.author,
                       created)
        stage.publish([name])
    record.record([name])
    made_pdf = None
    if pdf:
        from connect_share_learn import office

        conversion = office.convert_batches([folder / name], folder, "pdf")
        if conversion.outputs and conversion.outputs[0] is not None:
            made_pdf = conversion.outputs[0]
            record.record([name, made_pdf.name])
    warnings = letter_context.unset_settings_warnings(toolkit.settings, settings_file, template.variables)
    warnings += _problems_noted(analysis)
    return FilledLetter(folder / name, made_pdf, course.id, warnings)


def _problems_noted(analysis: Analysis) -> list[str]:
    """One warning when the analysis noticed problems in the data (duplicated codes, say)."""
    noted = [p for p in analysis.problems if p.rule != "no_answers_in_file"]
    if not noted:
        return []
    book = analysis.books[0]
    rules = sorted({p.rule for p in noted})
    return [f"{book.file}: the figures were worked out, and {len(noted)} "
            f"{'thing' if len(noted) == 1 else 'things'} in the data are worth checking ({', '.join(rules[:6])}"
            f"{', …' if len(rules) > 6 else ''}) — 'csl analyse {book.file}' lists each one, with what to do, in "
            "quality.csv"]
