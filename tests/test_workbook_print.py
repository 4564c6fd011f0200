"""A workbook a coordinator can print and show: A4 page setup on every sheet, the demo on few
pages with "Start here" and the Summary on one each, no clipped text, one number style, the
Summary's named figures, readings right for each kind of comparison, and the example marked."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections import Counter

import pytest
from openpyxl.utils import range_boundaries

from connect_share_learn import office, stats
from connect_share_learn.workbook.words import wording
from connect_share_learn.workbook.build import write_example, write_workbook
from connect_share_learn.workbook.readings import alpha_note, reading
from connect_share_learn.workbook.styles import P_FORMAT
from connect_share_learn.workbook.text_fit import CELL_PADDING_PX, lines_in_px, row_height, text_px

from helpers import default_toolkit, opened

TOOLKIT = default_toolkit()
ENTRY_SHEETS = ("Registration (t0)", "Start (t1)", "End (t2)", "Follow-up (t3)")
WITH_HEADINGS = {*ENTRY_SHEETS, "Matched", "Items", "Codebook"}  # sheets that repeat their heading rows


@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    return {cid: write_example(TOOLKIT, TOOLKIT.courses[cid], folder / f"{cid}.xlsx")
            for cid in ("foundation", "domestic_abuse")}


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    return write_workbook(TOOLKIT, TOOLKIT.courses["foundation"], tmp_path_factory.mktemp("blank") / "foundation.xlsx",
                          capacity=200)


def _pages_per_sheet(pdf) -> Counter:
    """Pages of each sheet, read from every page's footer ("<sheet> … Page n of N")."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    found, sheet = Counter(), "?"
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        footer = [line for line in text.splitlines() if re.search(r"\s{2,}Page \d+ of \d+\s*$", line)]
        if footer:  # a chart's text can follow the footer's: a page without one is its sheet's next
            sheet = re.sub(r"\s{2,}.*$", "", footer[-1].strip())
        found[sheet] += 1
    return found


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_demo_prints_on_few_pages_with_start_here_and_the_summary_on_one_each(demos, tmp_path):
    pdfs = office.convert(list(demos.values()), tmp_path / "pdf", to="pdf")
    for course_id, pdf in zip(demos, pdfs):
        pages = _pages_per_sheet(pdf)
        visible = [ws.title for ws in opened(demos[course_id]).worksheets if ws.sheet_state == "visible"]
        assert list(pages) == visible, (course_id, pages)  # every sheet prints, in order, and nothing else
        assert pages["Start here"] == 1 and pages["Summary"] == 1, (course_id, pages)
        assert all(pages[s] == 1 for s in visible if s in ENTRY_SHEETS), (course_id, pages)
        assert sum(pages.values()) < 20, (course_id, pages)


def test_every_sheet_is_set_up_for_a4(blank):
    wb = opened(blank)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert ws.page_setup.paperSize == 9, ws.title
        assert ws.print_area, ws.title
        assert ws.page_setup.orientation in ("portrait", "landscape"), ws.title
        assert "&A" in (ws.oddFooter.left.text or ""), ws.title  # the sheet's name on every page
        if ws.title in WITH_HEADINGS:
            assert ws.print_title_rows, ws.title
    for title in ("Start here", "Summary"):  # one page each, whatever is typed
        ws = wb[title]
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight in (None, 1), title
    assert wb["Results"].page_setup.orientation == "landscape" and wb["Results"].row_breaks.count >= 1
    # An entry sheet prints its whole block of rows, and not its hidden helper columns.
    area = wb["Start (t1)"].print_area[0] if isinstance(wb["Start (t1)"].print_area, list) else wb["Start (t1)"].print_area
    min_col, _min_row, max_col, max_row = range_boundaries(area.split("!")[-1].replace("$", ""))
    assert max_row == 3 + 200
    assert all(_widths(wb["Start (t1)"]).get(c, 64) > 0 for c in range(min_col, max_col + 1))


def _merged_widths(ws) -> dict[tuple[int, int], tuple[int, int]]:
    """(row, first column) of each merged range → its (first, last) column."""
    out = {}
    for rng in ws.merged_cells.ranges:
        out[(rng.min_row, rng.min_col)] = (rng.min_col, rng.max_col)
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                out.setdefault((row, col), None)
    return out


def _widths(ws) -> dict[int, float]:
    """Column → width in pixels as Excel draws it (the stored width includes the padding)."""
    out = {}
    for dim in ws.column_dimensions.values():
        for c in range(dim.min or 0, (dim.max or 0) + 1):
            out[c] = 0 if dim.hidden else int(dim.width * 7 + 0.5) if dim.width else 64
    return out


def _col_px(widths: dict[int, float], first: int, last: int) -> float:
    return sum(widths.get(c, 64) for c in range(first, last + 1))


def _clipped(path) -> list[str]:
    """Every text cell of a visible sheet whose wrapped lines the row is too low for, or
    whose wrapping would break a word (ids aside), by the workbook's own estimate of widths."""
    values = opened(path, data_only=True)
    found = []
    for ws in opened(path).worksheets:
        if ws.sheet_state != "visible":
            continue
        merged, widths = _merged_widths(ws), _widths(ws)
        for row in ws.iter_rows():
            for c in row:
                value = values[ws.title][c.coordinate].value
                if not isinstance(value, str) or not value.strip() or not c.alignment.wrap_text:
                    continue
                span = merged.get((c.row, c.column), (c.column, c.column))
                if span is None:
                    continue  # inside a merged range
                px = _col_px(widths, *span)
                size, bold = c.font.sz or 11, bool(c.font.b)
                need = row_height(lines_in_px(value, px, size, bold), size)
                have = ws.row_dimensions[c.row].height or 15
                if have + 0.5 < need:
                    found.append(f"{ws.title}!{c.coordinate} needs {need} points, has {have}: {value[:40]!r}")
                if "_" not in value and max(text_px(w, size, bold) for w in value.split()) + CELL_PADDING_PX > px:
                    found.append(f"{ws.title}!{c.coordinate} breaks a word: {value[:40]!r}")
    return found


@pytest.mark.slow
def test_no_text_is_clipped_or_broken_mid_word(demos, blank):
    for path in (*demos.values(), blank):
        assert _clipped(path) == [], path.name


def test_one_number_style(demos):
    wb = opened(demos["foundation"])
    names = {n: next(iter(d.destinations)) for n, d in wb.defined_names.items() if len(list(d.destinations)) == 1}

    def fmt(name):
        sheet, ref = names[name]
        return wb[sheet][ref.replace("$", "")].number_format

    assert P_FORMAT == '[<0.001]"< 0.001";0.000'
    for name in ("self_efficacy_t1_t2_p", "attitudes_t1_t3_p", "summary_self_efficacy_p"):
        assert fmt(name) == P_FORMAT, name
    for name in ("self_efficacy_t1_mean", "self_efficacy_t1_sd", "self_efficacy_t1_t2_mean_change",
                 "self_efficacy_t1_t2_ci_low", "summary_self_efficacy_before_mean", "summary_self_efficacy_change"):
        assert fmt(name) == "0.0", name
    for name in ("self_efficacy_t1_t2_d", "self_efficacy_t1_t2_dz", "summary_self_efficacy_d"):
        assert fmt(name) == "0.00", name
    # Time points by their names, the code in brackets; scales by their titles.
    results = [c.value for row in wb["Results"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "Start (t1)" in results and "Follow-up (t3)" in results
    assert any(v.startswith("Start (t1) → End (t2)") for v in results)
    text = " ".join(str(c.value) for ws in wb.worksheets if ws.title != "Codebook" and ws.sheet_state == "visible"
                    for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "self-efficacy" not in text.lower() and "start of course" not in text.lower()


def test_the_summary_names_its_figures_from_results(demos):
    for course_id, path in demos.items():
        wb = opened(path, data_only=True)
        values = {}
        for name, defined in wb.defined_names.items():
            dests = list(defined.destinations)
            if len(dests) == 1 and ":" not in dests[0][1]:
                sheet, ref = dests[0]
                values[name] = (sheet, wb[sheet][ref.replace("$", "")].value)
        summary = {n: v for n, (sheet, v) in values.items() if n.startswith("summary_")}
        assert all(values[n][0] == "Summary" for n in summary)
        for scale in ("self_efficacy", "attitudes"):
            pair = f"{scale}_t1_t2"
            for stat, theirs in (("change", "mean_change"), ("d", "d"), ("p", "p"), ("pct_improved", "pct_improved"),
                                 ("n_pairs", "n_pairs")):
                assert summary[f"summary_{scale}_{stat}"] == values[f"{pair}_{theirs}"][1], (course_id, scale, stat)
            before, after = summary[f"summary_{scale}_before_mean"], summary[f"summary_{scale}_after_mean"]
            assert after - before == pytest.approx(summary[f"summary_{scale}_change"])
            assert summary[f"summary_{scale}_reading"].startswith(TOOLKIT.scales[scale].title)
            assert " to " in summary[f"summary_{scale}_ci"]
        course = TOOLKIT.courses[course_id]
        for tp in course.tp_ids:
            assert summary[f"summary_{tp}_entered"] == values[f"{tp}_entered"][1]
        assert summary["summary_t2_matched"] == values["t2_matched"][1]
        assert isinstance(summary["summary_start_date"], type(summary["summary_end_date"]))
        assert summary["summary_attended"] >= max(values[f"{tp}_entered"][1] for tp in course.tp_ids)


def test_readings_say_what_each_comparison_is():
    w = wording()
    scale = TOOLKIT.scales["self_efficacy"]
    change = stats.PairedChange(12, 3.0, 5.0, 2.08, 11, 0.06, -0.2, 6.2, 0.2, 0.6, 58.3)
    said = {pair: reading(w, "Confidence", scale, *pair.split("_"), change) for pair in ("t1_t2", "t1_t3", "t2_t3", "t0_t1")}
    assert "from the start to the end of the course" in said["t1_t2"] and "course made no difference" in said["t1_t2"]
    assert "before any training" in said["t0_t1"] and "waited for the course" in said["t0_t1"]
    assert "course ended" in said["t2_t3"] and "follow-up" in said["t2_t3"]
    assert "lasting" in said["t1_t3"]
    assert all("made no difference" not in said[p] for p in ("t0_t1", "t2_t3"))


def test_a_low_or_negative_alpha_is_flagged():
    w = wording()
    rated, known = TOOLKIT.scales["attitudes"], TOOLKIT.scales["knowledge_foundation"]
    assert stats.ALPHA_LOW == 0.5
    assert alpha_note(w, rated, -0.3) == alpha_note(w, rated, 0.494) == w["alpha_low"]
    assert alpha_note(w, known, 0.2) == w["alpha_low_knowledge"]
    assert alpha_note(w, rated, 0.495) == alpha_note(w, rated, 0.8) == alpha_note(w, rated, None) == ""


def test_titles_follow_the_typed_course_details(demos, blank):
    wb = opened(blank)
    start = wb["Start here"]
    assert "course_title" in start["A2"].value and "course_partnership" in start["A3"].value
    for title in ("Summary", "Results", "Items", "Costs"):
        assert "course_partnership" in wb[title]["A3"].value, title
    shown = opened(demos["foundation"], data_only=True)
    assert shown["Start here"]["A3"].value == "Example Safeguarding Children Partnership"
    assert shown["Results"]["A3"].value.endswith("— Example Safeguarding Children Partnership")


def test_charts_count_people_in_whole_numbers_and_name_the_knowledge_questions(blank):
    with zipfile.ZipFile(blank) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    attendance = next(x for x in charts if "Participants!" in x)
    assert '<c:delete val="1"/>' in attendance  # no value axis to step in halves of a person
    wb = opened(blank)
    shorts = {i.short for i in TOOLKIT.scales["knowledge_foundation"].items}
    labels = {c.value for row in wb["Workings"].iter_rows(max_col=1) for c in row}
    assert shorts <= labels


def test_the_example_is_marked_and_consistent(demos, blank):
    for path in demos.values():
        wb = opened(path, data_only=True)
        props = {p.name: p.value for p in wb.custom_doc_props.props}
        assert props["csl_example"] == "true"
        names = {n: next(iter(d.destinations)) for n, d in wb.defined_names.items() if len(list(d.destinations)) == 1}

        def value(name, wb=wb, names=names):
            sheet, ref = names[name]
            return wb[sheet][ref.replace("$", "")].value

        assert value("course_start_date") and value("course_end_date") >= value("course_start_date")
        entered = [value(f"{tp}_entered") for tp in ("t0", "t1", "t2", "t3") if f"{tp}_entered" in names]
        assert value("course_attended") >= max(entered)
        for name in ("cost_trainer_days", "cost_trainer_rate", "cost_venue", "cost_materials", "cost_course_hours"):
            assert value(name) > 0, name
        assert value("cost_total") > 0 and value("cost_per_improved") > 0
    assert "csl_example" not in {p.name for p in opened(blank).custom_doc_props.props}
