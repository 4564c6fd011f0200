"""Writing a course's data-entry workbook with XlsxWriter (design.md, "Workbook contract").

Sheets: Start here, one entry sheet per time point, Matched, Results, Items, Participants,
Research, Costs, Codebook, and a hidden Workings sheet (chart data, item variances). Every statistic is a formula from
:mod:`connect_share_learn.stats` and has a workbook-level defined name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from connect_share_learn import __version__
from connect_share_learn.contract import (
    MAX_CAPACITY, PROPERTY_CAPACITY, PROPERTY_COURSE, PROPERTY_EXAMPLE, PROPERTY_SPEC_HASH, PROPERTY_TOOLKIT,
    PROPERTY_VERSION, TOOLKIT_NAME,
)
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course, text
from connect_share_learn.workbook.book import Book
from connect_share_learn.workbook.fastsheet import FastWorksheet
from connect_share_learn.workbook.layout import layout_course
from connect_share_learn.workbook.styles import Styles
from connect_share_learn.workbook.words import wording
from connect_share_learn.wording import language

# The example holds 23 questionnaires: 30 rows leave room to try typing a few more, and keep
# each entry sheet to one printed page.
EXAMPLE_CAPACITY = 30


def render(ctx) -> None:
    """Pack part: ``workbooks/<course>.xlsx`` for every course being built."""
    folder = ctx.folder / "workbooks"
    folder.mkdir(parents=True, exist_ok=True)
    for course in ctx.courses:
        write_workbook(ctx.toolkit, course, folder / f"{course.id}.xlsx", capacity=ctx.capacity,
                       created=ctx.options.created, password=ctx.options.password)


def write_workbook(toolkit: Toolkit, course: Course, path: Path, capacity: int = 500,
                   created: dt.datetime | None = None, password: str | None = None,
                   rows: dict | None = None, example: dict | None = None) -> Path:
    """Write the data-entry workbook of ``course`` to ``path``.

    ``rows`` pre-fills the entry sheets (time point → list of column id → value), as if typed.
    Every formula is stored with its true result, so a viewer that does not recalculate
    shows correct numbers. ``example`` (used by ``csl demo``) holds the course details of the
    example workbook and labels every sheet as an example.
    """
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValueError(f"capacity must be between 1 and {MAX_CAPACITY}")
    created = created or dt.datetime(2026, 1, 1)
    wb = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        "in_memory": True,
    })
    wb.worksheet_class = FastWorksheet
    said = wording(toolkit.settings.language)["properties"]
    wb.set_properties({
        "title": said["title"].format(course=text(course.title, toolkit.settings.language)),
        "subject": said["subject"],
        "author": toolkit.settings.author,
        "created": created,
        "comments": said["comments"],
    })
    properties = [(PROPERTY_TOOLKIT, TOOLKIT_NAME), (PROPERTY_VERSION, __version__),
                  (PROPERTY_SPEC_HASH, toolkit.spec_hash), (PROPERTY_COURSE, course.id),
                  (PROPERTY_CAPACITY, str(capacity))]
    if example is not None:
        properties.append((PROPERTY_EXAMPLE, "true"))
    for name, value in properties:
        wb.set_custom_property(name, value)
    from connect_share_learn.workbook.example import true_values

    rows = rows or {}
    layouts = layout_course(toolkit, course, capacity)
    truth = true_values(toolkit, course, layouts, rows)
    book = Book(wb, Styles(wb, language(toolkit.settings.language).workbook_font), toolkit, course, layouts, password, rows, truth, example)
    book.write_all()
    wb.close()
    return path


def write_example(toolkit: Toolkit, course: Course, path: Path, capacity: int = EXAMPLE_CAPACITY,
                  created: dt.datetime | None = None) -> Path:
    """The filled example workbook of ``csl demo``: made-up data, labelled on every sheet and
    in its document properties (``csl_example``)."""
    from connect_share_learn.workbook.example import example_details, synthetic_rows

    rows = synthetic_rows(toolkit, course)
    return write_workbook(toolkit, course, path, capacity=capacity, created=created, rows=rows,
                         example=example_details(toolkit, course, rows))
