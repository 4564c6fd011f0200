"""Data-quality problems: one record per thing noticed, worded from the catalogue.

The wording lives in ``templates/report/quality.yaml``; code refers to a rule by its key.
No record ever holds a participant code: rows are named by file, sheet and row number.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from connect_share_learn.errors import InputError
from connect_share_learn.wording import load as load_wording

# Free text typed into an answer cell is cut short in quality.csv: it may be anything.
MAX_VALUE_CHARS = 40


@dataclass(frozen=True)
class QualityProblem:
    """One problem: where it is, which rule it breaks, and the detail the wording needs."""

    file: str
    rule: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    detail: str = ""


COLUMNS = ["file", "sheet", "row", "column", "value", "rule", "problem", "action"]


def _wording() -> dict:
    return load_wording("quality")


def catalogue() -> dict[str, dict[str, str]]:
    """Rule → its problem and action sentences."""
    return _wording()["rules"]


def file_kind(key: str) -> str:
    """What a file that is not a workbook is, in words ('a PDF document')."""
    return _wording()["file_kinds"][key]


def refusal_detail(code: str, detail: str) -> str:
    """The detail a refusal's wording takes (a file that is not a workbook: what it is, in words)."""
    return file_kind(detail or "unknown") if code == "not_a_workbook" else detail


def refusal(path, code: str, detail: str, what: str = "workbook") -> InputError:
    """A file the reader refused (:class:`~connect_share_learn.read.ooxml.Refused`), as the one
    clear error a command reports: the catalogue's sentence and what to do."""
    entry = catalogue()[code]
    problem = entry["problem"].format(detail=refusal_detail(code, detail)).rstrip(".")
    problem = problem.replace("The workbook", f"The {what}", 1)
    action = entry["action"]
    hint = action.split(": ", 1)[1] if ": " in action else "check it is the right file"
    return InputError(path, problem[0].lower() + problem[1:], hint)


@contextlib.contextmanager
def opened_package(path: Path, what: str, in_memory: bool = False) -> Iterator:
    """A user's .xlsx file opened through the guarded reader (:mod:`connect_share_learn.read.ooxml`)
    for a command that stops at the first problem: a refusal, on opening or while reading,
    becomes one :class:`InputError` naming the file."""
    from connect_share_learn.read import ooxml

    try:
        package = ooxml.open_package(path, in_memory=in_memory)
    except ooxml.Refused as exc:
        raise refusal(path, exc.code, exc.detail, what) from None
    except OSError as exc:
        raise InputError(path, f"the {what} cannot be read ({exc.strerror})",
                         "check the path and that the file is not open elsewhere") from None
    try:
        yield package
    except ooxml.Refused as exc:
        raise refusal(path, exc.code, exc.detail, what) from None
    finally:
        package.close()


def wording(problem: QualityProblem) -> tuple[str, str]:
    """The (problem, action) sentences of ``problem``."""
    entry = catalogue()[problem.rule]
    return entry["problem"].format(detail=problem.detail), entry["action"]


def shown_value(raw) -> str:
    """A typed value as quality.csv shows it: text cut short, numbers without a trailing .0."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    text = str(raw).replace("\r", " ").replace("\n", " ")
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def to_csv(problems: list[QualityProblem]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in problems:
        problem, action = wording(p)
        writer.writerow([_safe(p.file), _safe(p.sheet), "" if p.row is None else p.row, _safe(p.column),
                         _safe(p.value), p.rule, _safe(problem), action])
    # A byte-order mark so Excel opens accents correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _safe(text: str) -> str:
    """Text that a spreadsheet opening the CSV will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

