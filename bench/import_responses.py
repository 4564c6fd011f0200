"""Benchmark: import 5,000 online responses into a data-entry workbook (issue 7: under 10 s).

Builds a foundation workbook with room for 5,000 questionnaires per time point, writes a
KoboToolbox-like CSV (and XLSX) of 5,000 end-of-course responses to the exported form, and
times ``csl import`` end to end (reading, checking, editing the sheet XML, writing the zip).

    .venv/bin/python bench/import_responses.py [--n 5000] [--resaved]

``--resaved`` also times the import into the same workbook re-saved by LibreOffice
(shared strings, LibreOffice's XML); the re-save itself is not timed.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter
from click.testing import CliRunner

from connect_share_learn.cli.import_responses import import_command
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.workbook.build import write_workbook
from connect_share_learn.xlsform import build_form


def responses(toolkit, course, tp: str, n: int, seed: int = 1) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed)
    form = build_form(toolkit, course, tp)
    choices: dict[str, list[str]] = {}
    for c in form.choices:
        choices.setdefault(c["list_name"], []).append(c["name"])
    fields, group = [], None
    for row in form.survey:
        kind = row["type"]
        if kind == "begin_group":
            group = row["name"]
        elif kind == "end_group":
            group = None
        elif kind != "note":
            fields.append((f"{group}/{row['name']}" if group else row["name"], kind))
    header = ["start", "end"] + [h for h, _ in fields] + ["_uuid", "_submission_time", "_index"]
    records = []
    for i in range(n):
        record = ["2026-03-01T10:00:00", "2026-03-01T10:09:00"]
        for name, kind in fields:
            if name == "code":
                record.append(f"{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}{i % 100:02d}{chr(65 + i // 676 % 26)}")
            elif kind.startswith("select_one"):
                record.append(rng.choice(choices[kind.split()[1]]) if rng.random() > 0.05 else "")
            else:
                record.append(rng.choice(["Very useful & practical", "", "More time for case studies, please."]))
        records.append(record + [f"uuid-{i}", "2026-03-01T10:10:00", str(i + 1)])
    return header, records


def timed_import(src: Path, workbook: Path, out: Path, tp: str) -> float:
    started = time.perf_counter()
    result = CliRunner().invoke(import_command, [str(src), "--course", "foundation", "--time-point", tp,
                                                 "--workbook", str(workbook), "--out", str(out)])
    elapsed = time.perf_counter() - started
    if result.exit_code != 0:
        sys.exit(f"import failed:\n{result.output}")
    print("   ", result.output.splitlines()[0][:150])
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--resaved", action="store_true", help="also import into a LibreOffice-re-saved workbook")
    args = parser.parse_args()
    toolkit = load_toolkit()
    course = toolkit.courses["foundation"]
    tp = "t2"
    with tempfile.TemporaryDirectory(prefix="csl-bench-import-") as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        workbook = write_workbook(toolkit, course, folder / "foundation.xlsx", capacity=5000)
        print(f"built a capacity-5,000 workbook ({workbook.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - started:.1f} s (not part of the import)")
        header, records = responses(toolkit, course, tp, args.n)
        src = folder / "kobo.csv"
        with src.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(header)
            writer.writerows(records)
        xlsx = folder / "kobo.xlsx"
        wb = xlsxwriter.Workbook(xlsx, {"constant_memory": True})
        ws = wb.add_worksheet()
        for r, record in enumerate([header] + records):
            for c, value in enumerate(record):
                if value:
                    ws.write_string(r, c, value)
        wb.close()
        print(f"{args.n:,} responses x {len(header)} columns")
        print(f"CSV  import: {timed_import(src, workbook, folder / 'out_csv.xlsx', tp):.2f} s")
        print(f"XLSX import: {timed_import(xlsx, workbook, folder / 'out_xlsx.xlsx', tp):.2f} s")
        if args.resaved:
            from connect_share_learn import office

            started = time.perf_counter()
            resaved = office.convert([workbook], folder / "lo", to="xlsx")[0]
            print(f"re-saved by LibreOffice ({resaved.stat().st_size / 1e6:.1f} MB) in "
                  f"{time.perf_counter() - started:.1f} s (not part of the import)")
            print(f"CSV  import into the re-saved workbook: "
                  f"{timed_import(src, resaved, folder / 'out_resaved.xlsx', tp):.2f} s")


if __name__ == "__main__":
    main()
