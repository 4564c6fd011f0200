"""`csl analyse` end to end: bad files reported, everything accounted for, no code in any output."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import zipfile
from html.parser import HTMLParser

import click
import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from connect_share_learn import stats
from connect_share_learn.cli.analyse import analyse_command
from connect_share_learn.cli import cli
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.testing import contract_workbook, simulate


@pytest.fixture
def csl():
    group = click.Group(commands={**cli.commands, "analyse": analyse_command}, params=cli.params,
                        callback=cli.callback, name="csl")

    def invoke(*args):
        return CliRunner().invoke(group, [str(a) for a in args], catch_exceptions=False)

    return invoke


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def returns(tmp_path_factory, toolkit):
    """Good workbooks and one of each kind of bad file; returns (folder, codes typed)."""
    folder = tmp_path_factory.mktemp("returns")
    codes = set()
    for i, cid in enumerate(["foundation", "foundation", "domestic_abuse"]):
        course = toolkit.courses[cid]
        rows = simulate(toolkit, course, 14, seed=100 + i)
        codes |= {stats.normalise_code(r["code"]) for rs in rows.values() for r in rs}
        contract_workbook(folder / f"course_{i}.xlsx", toolkit, course, rows)
    bad = folder / "bad"
    bad.mkdir()
    (bad / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not the rest of a zip")
    (bad / "notes.xlsx").write_bytes(b"code,agency\r\nAB01C,3\r\n")
    (bad / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + bytes(600))
    shutil.copy(folder / "course_1.xlsx", folder / "zz_copy_of_course_1.xlsx")
    wb = xlsxwriter.Workbook(str(bad / "blank.xlsx"))
    wb.add_worksheet()
    wb.close()
    (bad / "~$course_0.xlsx").write_bytes(b"owner")
    return folder, codes


EXPECTED_REFUSALS = {"broken.xlsx": "broken_zip", "notes.xlsx": "not_a_workbook", "locked.xlsx": "encrypted",
                     "zz_copy_of_course_1.xlsx": "duplicate_file", "blank.xlsx": "not_this_toolkit",
                     "~$course_0.xlsx": "lock_file"}


def test_analyse_reports_every_bad_file_and_accounts_for_every_row(csl, returns, tmp_path):
    folder, codes = returns
    before = _digest(folder)
    out = tmp_path / "out"
    result = csl("analyse", folder, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert _digest(folder) == before, "an input file was changed"
    assert sorted(p.name for p in out.iterdir()) == ["MANIFEST.json", "benchmarks.yaml", "quality.csv", "report.html",
                                                     "results.xlsx"]
    m = re.search(r"Read (\d+) of (\d+) file\(s\) \((\d+) not read\); (\d+) row\(s\) typed: (\d+) used, (\d+) left out",
                  result.stdout)
    read, found, refused, typed, used, left = map(int, m.groups())
    assert (read, found, refused) == (3, 9, 6) and read + refused == found
    assert used + left == typed > 0
    quality = list(csv.DictReader(io.StringIO((out / "quality.csv").read_text("utf-8-sig"))))
    file_rules = {r["file"].split("/")[-1]: r["rule"] for r in quality if not r["row"] and r["file"] != "(all files)"
                  and r["rule"] in EXPECTED_REFUSALS.values()}
    assert file_rules == EXPECTED_REFUSALS
    # Every row left out is in quality.csv with its file, sheet, row and the action.
    left_out = {(r["file"], r["sheet"], r["row"]) for r in quality if r["action"] == "row left out"}
    assert len(left_out) == left


def test_no_output_contains_a_participant_code(csl, returns, tmp_path):
    folder, codes = returns
    out = tmp_path / "out"
    assert csl("analyse", folder, "--out", out).exit_code == 0
    texts = {name: (out / name).read_text("utf-8") for name in ("report.html", "quality.csv", "benchmarks.yaml")}
    with zipfile.ZipFile(out / "results.xlsx") as zf:
        texts["results.xlsx"] = "".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    for name, content in texts.items():
        upper = content.upper()
        found = [c for c in codes if c in upper]
        assert not found, f"{name} contains participant codes {found[:3]}"


def test_outputs_are_usable(csl, returns, tmp_path, toolkit):
    folder, _ = returns
    out = tmp_path / "out"
    assert csl("analyse", folder, "--out", out).exit_code == 0
    # benchmarks.yaml is read back by the specification loader as benchmarks.
    bench_dir = tmp_path / "bench"
    bench_dir.mkdir()
    shutil.copy(out / "benchmarks.yaml", bench_dir / "pooled.yaml")
    again = load_toolkit(benchmarks=bench_dir)
    pooled = [b for b in again.benchmarks if b.source == "pooled"]
    assert pooled and all(b.value is not None and b.n >= 5 for b in pooled)
    assert {b.course for b in pooled} == {"foundation", "domestic_abuse"}
    # results.xlsx opens, holds the tables, and has native charts.
    wb = openpyxl.load_workbook(out / "results.xlsx", read_only=True)
    assert {"Read me", "Charts", "Change", "Scores by time point", "Data quality"} <= set(wb.sheetnames)
    wb.close()
    with zipfile.ZipFile(out / "results.xlsx") as zf:
        assert sum(n.startswith("xl/charts/chart") for n in zf.namelist()) >= 3
    # report.html is one static page: no script, no external resource, and charts with a title.
    html = (out / "report.html").read_text("utf-8")
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert html.count('role="img"') >= 3 and html.count("<title id=") >= 3

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack = []

        def handle_starttag(self, tag, attrs):
            if tag not in ("meta", "br", "link", "rect", "line", "path", "circle", "input"):
                self.stack.append(tag)

        def handle_endtag(self, tag):
            if tag in ("rect", "line", "path", "circle"):
                return
            assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
            self.stack.pop()

    Tags().feed(html)


def test_nothing_readable_exits_1_and_still_says_why(csl, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(b"not a workbook")
    result = csl("analyse", folder, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "none of the files could be read" in result.stderr
    assert "not_a_workbook" in (tmp_path / "out" / "quality.csv").read_text("utf-8-sig")


def test_bad_usage_exits_2(csl, tmp_path):
    assert csl("analyse", tmp_path / "missing", "--out", tmp_path / "out").exit_code == 2
    assert csl("analyse", "--out", tmp_path / "out").exit_code == 2
    clash = tmp_path / "out"
    clash.mkdir()
    (clash / "report.html").write_bytes(b"PK\x03\x04")
    result = csl("analyse", clash / "report.html", "--out", clash)
    assert result.exit_code == 2 and "overwritten" in result.stderr
    assert (clash / "report.html").read_bytes() == b"PK\x03\x04"


def test_the_output_folder_inside_the_inputs_is_not_read_back(csl, returns, tmp_path):
    folder, _ = returns
    work = tmp_path / "work"
    shutil.copytree(folder, work)
    first = csl("analyse", work, "--out", work / "analysis")
    second = csl("analyse", work, "--out", work / "analysis")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout.split(" in ")[0] == second.stdout.split(" in ")[0]


def test_help_has_an_example(csl):
    result = csl("analyse", "--help")
    assert result.exit_code == 0 and "Example:" in result.output
    for param in analyse_command.params:
        if isinstance(param, click.Option):
            assert param.help


@pytest.mark.libreoffice
def test_a_workbook_resaved_by_libreoffice_gives_the_same_results(tmp_path, toolkit):
    from connect_share_learn.analyse.run import analyse
    from connect_share_learn.office import convert

    course = toolkit.courses["domestic_abuse"]
    original = tmp_path / "orig"
    original.mkdir()
    contract_workbook(original / "da.xlsx", toolkit, course, simulate(toolkit, course, 20, seed=7))
    resaved = tmp_path / "resaved"
    convert([original / "da.xlsx"], resaved, to="xlsx")
    a = analyse(toolkit, [original], workers=1)
    b = analyse(toolkit, [resaved], workers=1)
    assert b.accounting.files_read == 1, [p.rule for p in b.problems]
    assert a.accounting.rows_used == b.accounting.rows_used
    for ga, gb in zip(a.results, b.results):
        assert [s.stats for s in ga.time_points] == [s.stats for s in gb.time_points]
        assert ga.changes == gb.changes and ga.contrasts == gb.contrasts
    assert b.books[0].details.start_date == a.books[0].details.start_date


def test_the_garbage_collector_is_left_as_it_was(returns, toolkit, tmp_path):
    """Analysis pauses Python's cyclic garbage collector for speed, and must give it back."""
    import gc

    from connect_share_learn.analyse.run import analyse, write_outputs

    folder, _ = returns
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            analysis = analyse(toolkit, [folder], workers=2)
            write_outputs(analysis, tmp_path / f"out_{enabled}")
            assert gc.isenabled() is enabled
            assert analysis.accounting.files_read == 3
    finally:
        gc.enable()


def test_analyse_replaces_only_its_own_unchanged_results(csl, returns, tmp_path):
    """Issue 13.1: a report the analyst edited, or a file of theirs with an output's name, is
    never replaced without --force; a rerun replaces the analysis' own files; other files stay."""
    folder, _ = returns
    out = tmp_path / "analysis"
    out.mkdir()
    (out / "results.xlsx").write_bytes(b"last year's results, kept by hand")
    (out / "minutes.docx").write_bytes(b"mine")
    refused = csl("analyse", folder, "--out", out)
    assert refused.exit_code == 2 and "results.xlsx (not written by csl analyse)" in refused.stderr
    assert (out / "results.xlsx").read_bytes() == b"last year's results, kept by hand"
    (out / "results.xlsx").rename(out / "results-2024.xlsx")
    assert csl("analyse", folder, "--out", out).exit_code == 0
    assert csl("analyse", folder, "--out", out).exit_code == 0
    with open(out / "report.html", "a", encoding="utf-8") as fh:
        fh.write("<!-- my notes -->")
    changed = csl("analyse", folder, "--out", out)
    assert changed.exit_code == 2 and "report.html (changed since csl analyse wrote it)" in changed.stderr
    assert csl("analyse", folder, "--out", out, "--force").exit_code == 0
    assert "my notes" not in (out / "report.html").read_text("utf-8")
    assert (out / "minutes.docx").read_bytes() == b"mine" and (out / "results-2024.xlsx").exists()


def test_the_example_workbook_is_left_out_unless_asked_for(csl, run, returns, tmp_path):
    """Issue 15: csl demo's made-up data never reaches a report by accident."""
    folder, _ = returns
    work = tmp_path / "work"
    shutil.copytree(folder, work)
    assert run("demo", "--out", work / "example.xlsx").exit_code == 0
    result = csl("analyse", work, "--out", tmp_path / "a")
    assert result.exit_code == 0
    quality = (tmp_path / "a" / "quality.csv").read_text("utf-8-sig")
    assert "example.xlsx" in quality and "example_workbook" in quality
    only = csl("analyse", work / "example.xlsx", "--out", tmp_path / "b")
    assert only.exit_code == 1 and "none of the files could be read" in only.stderr
    included = csl("analyse", work / "example.xlsx", "--include-examples", "--out", tmp_path / "c")
    assert included.exit_code == 0, included.stderr
    assert "example_included" in (tmp_path / "c" / "quality.csv").read_text("utf-8-sig")
    from connect_share_learn.cli.export import export_command

    exported = CliRunner().invoke(export_command, [str(work / "example.xlsx"), "--out", str(tmp_path / "e")])
    assert exported.exit_code == 1 and "example_workbook" in (tmp_path / "e" / "quality.csv").read_text("utf-8-sig")
