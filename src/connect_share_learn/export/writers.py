"""The tidy table as files: data.csv, codebook.csv, data.sav, data.dta, read_data.R, README.txt.

Each writer writes one file at the path it is given; the caller writes into a scratch
folder and moves the finished files into place.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path

import jinja2

from connect_share_learn.defaults import default_dir
from connect_share_learn.export.tidy import (
    NOT_ASKED,
    NOT_VALID,
    Column,
    TidyTable,
    wording,
)
from connect_share_learn.wording import environment

# SPSS keeps a value label in 120 bytes and a variable label in 256; Stata a variable label in 80.
SPSS_VALUE_LABEL_BYTES = 120
SPSS_VARIABLE_LABEL_BYTES = 256
STATA_VARIABLE_LABEL_BYTES = 80
# Stata's longest fixed-width string; longer free text is cut (the CSV keeps all of it).
STATA_STRING_BYTES = 2045
CODEBOOK_COLUMNS = ["column", "id", "label", "type", "values", "scale", "reverse", "key", "time_points"]


# ---------------------------------------------------------------------------------------------
# CSV


def safe_text(value: str) -> str:
    """Text a spreadsheet opening the CSV will not run as a formula (an apostrophe in front)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_column(column: Column, values: list) -> list[str]:
    """One column's cells as text, column by column (a call per cell would double the time)."""
    if column.type == "text":
        return ["" if v is None else safe_text(v) for v in values]
    if column.type == "date":
        return ["" if v is None else v.isoformat() for v in values]
    # Numbers: whole numbers without a trailing .0, others in full (repr round-trips exactly).
    return [str(v) if v.__class__ is int else
            (str(int(v)) if v.is_integer() else repr(v)) if v.__class__ is float else "" for v in values]


def write_csv(table: TidyTable, path: Path) -> None:
    """UTF-8 with a byte-order mark (so Excel reads accents), one header row of column names."""
    cells = [_csv_column(c, table.data[c.name]) for c in table.columns]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow([c.name for c in table.columns])
        writer.writerows(zip(*cells))


def values_text(values: dict[int, str]) -> str:
    return "; ".join(f"{code}={label}" for code, label in values.items())


def write_codebook(table: TidyTable, path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CODEBOOK_COLUMNS)
    for c in table.columns:
        writer.writerow([c.name, c.source, safe_text(c.label), c.type, safe_text(values_text(c.values)), c.scale,
                         "" if c.reverse is None else ("yes" if c.reverse else "no"),
                         "" if c.key is None else c.key, c.time_points])
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# SPSS and Stata


def _cut(label: str, limit: int) -> str:
    data = label.encode("utf-8")
    if len(data) <= limit:
        return label
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


# Dates are written as numbers in each program's own reckoning, with a date format: pyreadstat
# misreads a column of dates that begins with a blank as text.
SPSS_EPOCH, SPSS_DAY = dt.date(1582, 10, 14), 86_400.0  # seconds since the Gregorian calendar began
STATA_EPOCH, STATA_DAY = dt.date(1960, 1, 1), 1.0  # Stata's %td: days since 1 January 1960


def _frame(table: TidyTable, missing_codes: bool, epoch: dt.date, day: float, text_bytes: int | None = None):
    import numpy as np
    import pandas as pd

    words = wording()
    blank_code, invalid_code = (int(k) for k in sorted(words["missing"], key=lambda k: int(k)))  # -9, -8
    frame = {}
    for c in table.columns:
        values = table.data[c.name]
        if c.type == "text":
            frame[c.name] = pd.Series(["" if v is None else (v if text_bytes is None else _cut(v, text_bytes))
                                       for v in values], dtype=object)
        elif c.type == "date":
            frame[c.name] = np.array([math.nan if v is None else (v - epoch).days * day for v in values],
                                     dtype="float64")
        elif c.role in ("profile", "item") and missing_codes:
            frame[c.name] = np.array([blank_code if v is None else invalid_code if v is NOT_VALID else
                                      math.nan if v is NOT_ASKED else v for v in values], dtype="float64")
        else:
            frame[c.name] = np.array([math.nan if v is None or v is NOT_VALID or v is NOT_ASKED else v
                                      for v in values], dtype="float64")
    return pd.DataFrame(frame)


def write_sav(table: TidyTable, path: Path, file_label: str) -> None:
    """SPSS: variable labels, value labels for every coded answer, -9 and -8 defined as missing."""
    write_prepared(path, *sav_arguments(table, file_label))


def sav_arguments(table: TidyTable, file_label: str) -> tuple[str, object, dict]:
    """What :func:`write_prepared` needs to write the SPSS file: the frame and pyreadstat's options."""
    words = wording()
    missing = {int(k): v for k, v in words["missing"].items()}
    frame = _frame(table, missing_codes=True, epoch=SPSS_EPOCH, day=SPSS_DAY)
    value_labels, missing_ranges, measure, formats = {}, {}, {}, {}
    for c in table.columns:
        if c.values:
            labels = {code: _cut(label, SPSS_VALUE_LABEL_BYTES) for code, label in c.values.items()}
            if c.role in ("profile", "item"):
                labels.update(missing)
                missing_ranges[c.name] = list(missing)
            value_labels[c.name] = labels
            measure[c.name] = "ordinal" if c.type == "number" else "nominal"
        elif c.type == "number":
            measure[c.name] = "scale"
            formats[c.name] = "F8.2"
        elif c.type == "date":
            formats[c.name] = "DATE11"
        elif c.type == "integer":
            formats[c.name] = "F8.0"
    return "sav", frame, dict(file_label=file_label,
                              column_labels={c.name: _cut(c.label, SPSS_VARIABLE_LABEL_BYTES) for c in table.columns},
                              variable_value_labels=value_labels, missing_ranges=missing_ranges,
                              variable_measure=measure, variable_format=formats)


def write_dta(table: TidyTable, path: Path, file_label: str) -> None:
    """Stata: variable labels (80 bytes) and value labels; blank and unusable answers are both '.'."""
    write_prepared(path, *dta_arguments(table, file_label))


def dta_arguments(table: TidyTable, file_label: str) -> tuple[str, object, dict]:
    """What :func:`write_prepared` needs to write the Stata file: the frame and pyreadstat's options."""
    frame = _frame(table, missing_codes=False, epoch=STATA_EPOCH, day=STATA_DAY, text_bytes=STATA_STRING_BYTES)
    return "dta", frame, dict(file_label=_cut(file_label, STATA_VARIABLE_LABEL_BYTES),
                              column_labels={c.name: _cut(c.label, STATA_VARIABLE_LABEL_BYTES) for c in table.columns},
                              variable_value_labels={c.name: dict(c.values) for c in table.columns if c.values},
                              variable_format={c.name: "%td" for c in table.columns if c.type == "date"}, version=15)


def write_prepared(path: Path, kind: str, frame, options: dict) -> None:
    """Write the SPSS ("sav") or Stata ("dta") file from a frame made by :func:`sav_arguments`
    or :func:`dta_arguments` (pyreadstat writes cell by cell: apart, the two can run side by side)."""
    import pyreadstat

    (pyreadstat.write_sav if kind == "sav" else pyreadstat.write_dta)(frame, str(path), **options)


# ---------------------------------------------------------------------------------------------
# R script and README (wording in templates/export/)


def _environment() -> jinja2.Environment:
    env = environment(jinja2.FileSystemLoader(str(default_dir("templates") / "export")))
    env.filters["r"] = _r_string
    return env


def _r_string(value) -> str:
    escaped = (str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def r_class(c: Column) -> str:
    return {"text": "character", "date": "character", "integer": "numeric", "number": "numeric"}[c.type]


def write_r(table: TidyTable, path: Path, data_file: str) -> None:
    time_points = wording()["time_points"]
    text = _environment().get_template("read_data.R.j2").render(
        columns=table.columns, data_file=data_file, r_class=r_class, time_points=time_points)
    path.write_text(text, encoding="utf-8")


def write_readme(path: Path, **context) -> None:
    words = wording()
    text = _environment().get_template("README.txt.j2").render(missing=words["missing"], **context)
    path.write_text(text.replace("\n", "\r\n"), encoding="utf-8-sig")
