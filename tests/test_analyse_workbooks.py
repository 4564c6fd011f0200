"""Workbooks as partnerships return them, made to the workbook contract, and read back.

The workbooks are written by :func:`connect_share_learn.testing.contract_workbook` with
answers from :func:`connect_share_learn.testing.simulate`.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from connect_share_learn import stats
from connect_share_learn.analyse.returned import read_returned
from connect_share_learn.testing import HEADER_ROW, contract_workbook, simulate

# ---------------------------------------------------------------------------------------------
# Reading one workbook


@pytest.fixture
def foundation(toolkit):
    return toolkit.courses["foundation"]


def test_reads_every_typed_row_and_recomputes_scores_with_stats(tmp_path, toolkit, foundation):
    rows = simulate(toolkit, foundation, 12, seed=1)
    rows["t1"].insert(3, None)  # a blank row is unused capacity, not a row
    path = contract_workbook(tmp_path / "a.xlsx", toolkit, foundation, rows)
    before = path.read_bytes()
    book = read_returned(path, "a.xlsx", toolkit)
    assert path.read_bytes() == before
    assert not book.refused and book.course == "foundation"
    assert book.details.partnership == "Northshire Safeguarding Children Partnership"
    assert book.details.start_date == dt.date(2025, 9, 15) and book.details.attended == 22
    assert book.details.year == "2025-26"
    typed = {tp: [r for r in rs if r] for tp, rs in rows.items()}
    assert len(book.responses) == sum(len(v) for v in typed.values())
    for tp, tp_rows in typed.items():
        got = [r for r in book.responses if r.tp == tp]
        assert [r.code for r in got] == [stats.normalise_code(r["code"]) for r in tp_rows]
        for scale in toolkit.scales_at(foundation, tp):
            if not scale.scored:
                continue
            fmt = toolkit.format_of(scale)
            expected = [stats.score(scale, fmt, [r.get(i.id) for i in scale.items]) for r in tp_rows]
            assert [r.scores[scale.id] for r in got] == expected
    first = [r for r in book.responses if r.tp == "t1"]
    assert [r.profile["agency"] for r in first] == [r["agency"] for r in typed["t1"]]


def test_scores_of_messy_answers_are_those_of_stats_score(tmp_path, toolkit, foundation):
    """Each answer is recoded once while reading: the score must still be stats.score's."""
    rng = random.Random(7)
    junk = [0, -1, 999, 2.5, "x", True, False, 1e300, 3, 3, 9]
    rows = simulate(toolkit, foundation, 30, seed=3)
    for tp_rows in rows.values():
        for row in tp_rows:
            for key in list(row):
                if key not in ("code", "agency") and rng.random() < 0.15:
                    row[key] = rng.choice(junk)
    path = contract_workbook(tmp_path / "messy.xlsx", toolkit, foundation, rows)
    book = read_returned(path, "messy.xlsx", toolkit)
    checked = 0
    for tp, tp_rows in rows.items():
        got = [r for r in book.responses if r.tp == tp]
        for scale in toolkit.scales_at(foundation, tp):
            if scale.scored:
                fmt = toolkit.format_of(scale)
                expected = [stats.score(scale, fmt, [r.get(i.id) for i in scale.items]) for r in tp_rows]
                assert [r.scores[scale.id] for r in got] == expected
                checked += sum(1 for x in expected if x is not None)
    assert checked > 100


def test_bad_values_are_reported_and_read_as_missing(tmp_path, toolkit, foundation):
    rows = {"t1": [
        {"code": "AB01C", "agency": 3, "se_1": 70, "se_2": "seventy", "se_3": 250, "att_1": 6, "kf_1": 4, "kf_2": 9},
        {"code": " ab01c ", "agency": 99, "se_1": 50},
        {"agency": 1, "se_1": 10, "se_2": 10, "se_3": 10, "se_4": 10, "se_5": 10, "se_6": 10},
        {"code": "ZZ99Z"},
        {"code": "QQ11Q", "se_4": "zz99z"},  # someone's code typed into an answer column
    ]}
    path = contract_workbook(tmp_path / "b.xlsx", toolkit, foundation, rows)
    book = read_returned(path, "b.xlsx", toolkit)
    rules = sorted((p.rule, p.row, p.column.split(" ")[-1].strip("()")) for p in book.problems if p.row)
    assert ("not_a_number", 6, "se_2") in rules
    assert ("out_of_range", 6, "se_3") in rules
    assert ("out_of_range", 6, "att_1") in rules
    assert ("not_an_option", 6, "kf_1") in rules
    assert not any(r[0] != "duplicate_code" and r[1] == 6 and r[2] == "kf_2" for r in rules)  # 9 = don't know is valid
    assert ("not_an_option", 7, "agency") in rules
    assert sum(1 for r in rules if r[0] == "duplicate_code") == 2
    assert any(r[0] == "blank_code" and r[1] == 8 for r in rules)
    assert any(r[0] == "row_no_answers" and r[1] == 9 for r in rules)
    used = {r.row: r.used for r in book.responses}
    assert used == {6: False, 7: False, 8: True, 9: False, 10: False}  # se needs 6 answers: row 6 has 1 valid
    assert book.rows_used + book.rows_left_out == 5
    assert all("AB01C" not in p.value.upper() and "ZZ99Z" not in p.value.upper() for p in book.problems)
    assert any(p.row == 10 and p.rule == "not_a_number" and "not shown" in p.value for p in book.problems)


def _zip(path: Path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("make, rule", [
    (lambda p: p.write_bytes(b""), "empty_file"),
    (lambda p: p.write_bytes(b"code,agency\nAB01C,3\n"), "not_a_workbook"),
    (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 200), "broken_zip"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 500),
     "encrypted"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le") + b"\x00" * 500),
     "legacy_xls"),
    (lambda p: _zip(p, {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\x00" * 60_000_000}), "zip_bomb"),
    (lambda p: _zip(p, {f"f{i}.xml": b"" for i in range(2_500)}, zipfile.ZIP_STORED), "zip_bomb"),
    (lambda p: _zip(p, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}), "ods"),
    (lambda p: _zip(p, {"xl/workbook.xml": b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><workbook>&a;</workbook>'}),
     "unsafe_xml"),
    (lambda p: _zip(p, {"xl/workbook.xml": b"<workbook><sheets>"}), "broken_xml"),
])
def test_unreadable_files_are_refused_with_a_reason(tmp_path, toolkit, make, rule):
    path = tmp_path / "bad.xlsx"
    make(path)
    book = read_returned(path, "bad.xlsx", toolkit)
    assert book.refused and book.problems[0].rule == rule
    assert not book.responses


def test_an_empty_workbook_is_refused(tmp_path, toolkit):
    path = tmp_path / "empty.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet()
    wb.close()
    book = read_returned(path, "empty.xlsx", toolkit)
    assert book.refused and book.problems[0].rule == "not_this_toolkit"


def test_a_value_in_the_last_cell_is_reported_and_the_block_still_read(tmp_path, toolkit, foundation):
    rows = simulate(toolkit, foundation, 6, seed=2)
    path = contract_workbook(tmp_path / "far.xlsx", toolkit, foundation, rows,
                             extra=lambda wb, ws, tp: ws.write(1_048_575, 16_383, "x") if tp == "t1" else None)
    book = read_returned(path, "far.xlsx", toolkit)
    assert not book.refused
    far = [p for p in book.problems if p.rule == "sheet_dimension"]
    assert len(far) == 1 and far[0].sheet == "Start (t1)" and "XFD1048576" in far[0].detail
    assert len(book.responses) == sum(len(v) for v in rows.values())


def test_a_block_of_millions_of_rows_is_refused(tmp_path, toolkit, foundation):
    def huge(wb, ws, tp):
        if tp == "t1":
            wb.define_name("t1_data", "='Start (t1)'!$A$6:$AF$1048576")
    rows = simulate(toolkit, foundation, 3, seed=3)
    path = contract_workbook(tmp_path / "huge.xlsx", toolkit, foundation, rows, names=False, extra=huge)
    book = read_returned(path, "huge.xlsx", toolkit)
    assert book.refused and book.problems[0].rule == "block_too_large"


def test_answers_typed_below_the_block_are_reported_and_counted(tmp_path, toolkit, foundation):
    rows = simulate(toolkit, foundation, 4, seed=8)

    def below(wb, ws, tp):
        if tp == "t1":
            ws.write_string(HEADER_ROW + 10 + 3, 0, "LATE1")  # three rows under a 10-row block
            ws.write_number(HEADER_ROW + 10 + 3, 5, 50)
    path = contract_workbook(tmp_path / "below.xlsx", toolkit, foundation, rows, capacity=10, extra=below)
    book = read_returned(path, "below.xlsx", toolkit)
    late = [p for p in book.problems if p.rule == "below_block"]
    assert [(p.sheet, p.row) for p in late] == [("Start (t1)", HEADER_ROW + 10 + 4)]
    assert book.rows_left_out == 1 and book.rows_used == sum(len(v) for v in rows.values())


def test_lost_properties_the_course_is_recognised_from_its_columns(tmp_path, toolkit):
    course = toolkit.courses["domestic_abuse"]
    rows = simulate(toolkit, course, 8, seed=4)
    path = contract_workbook(tmp_path / "gs.xlsx", toolkit, course, rows, properties=False)
    book = read_returned(path, "gs.xlsx", toolkit)
    assert book.course == "domestic_abuse"
    assert [p.rule for p in book.problems if p.row is None] == ["properties_missing"]


def test_lost_names_the_blocks_are_found_by_their_header_rows(tmp_path, toolkit, foundation):
    rows = simulate(toolkit, foundation, 8, seed=5)
    path = contract_workbook(tmp_path / "nonames.xlsx", toolkit, foundation, rows, names=False, properties=False)
    book = read_returned(path, "nonames.xlsx", toolkit)
    assert not book.refused and book.course == "foundation"
    assert len(book.responses) == sum(len(v) for v in rows.values())
    assert sum(p.rule == "names_missing" for p in book.problems) == 3


def test_another_toolkits_workbook_and_an_unknown_course_are_refused(tmp_path, toolkit, foundation):
    path = contract_workbook(tmp_path / "x.xlsx", toolkit, foundation, {})
    other = tmp_path / "other.xlsx"
    wb = xlsxwriter.Workbook(str(other))
    wb.set_custom_property("csl_toolkit", "something-else")
    wb.add_worksheet()
    wb.close()
    assert read_returned(other, "other.xlsx", toolkit).problems[0].rule == "not_this_toolkit"
    data = path.read_bytes()
    assert read_returned(path, "x.xlsx", toolkit).problems[0].rule == "no_answers_in_file"
    # An unknown course id in the properties.
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["docProps/custom.xml"] = parts["docProps/custom.xml"].replace(b">foundation<", b">basket_weaving<")
    renamed = _zip(tmp_path / "unknown.xlsx", parts)
    book = read_returned(renamed, "unknown.xlsx", toolkit)
    assert book.refused and book.problems[0].rule == "unknown_course" and "basket_weaving" in book.problems[0].detail
    assert path.read_bytes() == data


def test_an_older_specification_is_read_and_reported(tmp_path, toolkit, foundation):
    rows = simulate(toolkit, foundation, 5, seed=6)
    path = contract_workbook(tmp_path / "old.xlsx", toolkit, foundation, rows, spec_hash="0" * 64, version="0.0.9")
    book = read_returned(path, "old.xlsx", toolkit)
    assert not book.refused
    notes = [p for p in book.problems if p.rule == "spec_differs"]
    assert len(notes) == 1 and "0.0.9" in notes[0].detail


# ---------------------------------------------------------------------------------------------
# The two ways of reading a sheet agree


RICH_STRINGS = ("<si><t>code</t></si><si><t>agency</t></si><si><t>se_1</t></si>"
                "<si><r><t>se</t></r><r><t>_2</t></r><rPh><t>ignored</t></rPh></si>"
                "<si><t>se_3</t></si><si><t xml:space=\"preserve\"> 70 </t></si>")
# The same strings, each one plain run: read whole by one regular expression.
PLAIN_STRINGS = ("<si><t>code</t></si><si><t>agency</t></si><si><t>se_1</t></si><si><t>se_2</t></si>"
                 "<si><t>se_3</t></si><si><t xml:space=\"preserve\"> 70 </t></si>")


def _package(path: Path, sheet_xml: str, strings: str = RICH_STRINGS) -> Path:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {ns}><sheets><sheet name="Start (t1)" sheetId="1" r:id="rId1"/></sheets>'
                           "<definedNames><definedName name=\"t1_data\">'Start (t1)'!$A$6:$E$20</definedName>"
                           "</definedNames></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                     f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                                     f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                                     "</Relationships>",
        "xl/sharedStrings.xml": '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                + strings + "</sst>",
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    return _zip(path, {k: v.encode("utf-8") for k, v in parts.items()})


SHEET = """<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:dimension ref="A5:E8"/><x:sheetData>
<x:row r="5"><x:c r="A5" t="s"><x:v>0</x:v></x:c><x:c r="B5" t="s"><x:v>1</x:v></x:c><x:c r="C5" t="s"><x:v>2</x:v></x:c>
<x:c r="D5" t="s"><x:v>3</x:v></x:c><x:c r="E5" t="s"><x:v>4</x:v></x:c></x:row>
<x:row r="6"><x:c r="A6" t="inlineStr"><x:is><x:t>a&amp;b</x:t><x:rPh><x:t>no</x:t></x:rPh></x:is></x:c>
<x:c r="B6"><x:v>3</x:v></x:c><x:c r="C6" t="s"><x:v>5</x:v></x:c><x:c r="D6"><x:f>1+1</x:f><x:v>2</x:v></x:c>
<x:c r="E6" t="e"><x:v>#N/A</x:v></x:c><x:c r="F6"><x:v>99</x:v></x:c></x:row>
<x:row r="7"><x:c r="A7" t="b"><x:v>1</x:v></x:c><x:c r="C7"><x:v>7E1</x:v></x:c><x:c r="D7" s="3"/><x:c r="E7" t="str"><x:v>&#x263A;</x:v></x:c></x:row>
<x:row r="30"><x:c r="A30"><x:v>5</x:v></x:c></x:row>
</x:sheetData></x:worksheet>"""

EXPECTED_CELLS = {(5, 1): "code", (5, 2): "agency", (5, 3): "se_1", (5, 4): "se_2", (5, 5): "se_3",
                  (6, 1): "a&b", (6, 2): 3.0, (6, 3): " 70 ", (7, 1): True, (7, 3): 70.0, (7, 5): "\u263a"}


@pytest.mark.parametrize("fast", [True, False])
def test_both_sheet_readers_give_the_same_cells(tmp_path, monkeypatch, fast):
    from connect_share_learn.read import ooxml

    if not fast:
        monkeypatch.setattr(ooxml, "FAST_PART_LIMIT", 0)
    pkg = ooxml.open_package(_package(tmp_path / "hand.xlsx", SHEET))
    try:
        cells = pkg.read_cells("Start (t1)", [ooxml.Area("Start (t1)", 5, 1, 20, 5)])
    finally:
        pkg.close()
    assert isinstance(cells.pop((6, 4)), ooxml.FormulaCell)
    assert str(cells.pop((6, 5))) == "#N/A"
    assert cells == EXPECTED_CELLS


# Every ordinary form of a cell: each is matched whole, so the sheet is read by _plain_cells.
PLAIN_SHEET = SHEET.replace("<x:rPh><x:t>no</x:t></x:rPh>", "").replace(
    '<x:row r="30">',
    '<x:row r="8"><x:c r="A8"><x:v/></x:c><x:c r="B8"></x:c><x:c r="C8" t="s"><x:f t="shared" si="0"/><x:v></x:v></x:c>'
    '<x:c r="D8" t="inlineStr"><x:is><x:t xml:space="preserve"> x&lt;y </x:t></x:is></x:c><x:c r="E8"><x:v>&#51;</x:v></x:c>'
    '</x:row><x:row r="9"><x:c r="A9" t="s"><x:v>99</x:v></x:c><x:c r="B9"><x:v>abc</x:v></x:c><x:c r="C9" t="b"/>'
    '<x:c r="D9" t="e"><x:v>#DIV/0!</x:v></x:c><x:c r="E9" t="s"><x:v>-1</x:v></x:c></x:row><x:row r="10">'
    '<x:c r="A10" t="s"/><x:c r="B10" t="e"/><x:c r="C10" t="str"><x:v></x:v></x:c></x:row><x:row r="30">')
PLAIN_EXPECTED = {**EXPECTED_CELLS, (8, 4): " x<y ", (8, 5): 3.0}


def _cells_both_ways(tmp_path, monkeypatch, sheet, strings, limit):
    """(cells, how many parts were read element by element) with the sheet reader chosen by ``limit``."""
    from connect_share_learn.read import ooxml

    monkeypatch.setattr(ooxml, "FAST_PART_LIMIT", limit)
    by_element = []
    original = ooxml._cells_by_element
    monkeypatch.setattr(ooxml, "_cells_by_element", lambda *a: by_element.append(1) or original(*a))
    pkg = ooxml.open_package(_package(tmp_path / f"hand{limit}.xlsx", sheet, strings))
    try:
        cells = pkg.read_cells("Start (t1)", [ooxml.Area("Start (t1)", 5, 1, 20, 5)])
    finally:
        pkg.close()
    shown = {k: (type(v).__name__, str(v)) for k, v in cells.items()}
    return shown, len(by_element)


@pytest.mark.parametrize("strings", [PLAIN_STRINGS, RICH_STRINGS])
def test_ordinary_cells_matched_whole_read_as_the_streaming_reader_reads_them(tmp_path, monkeypatch, strings):
    from connect_share_learn.read import ooxml

    whole, by_element = _cells_both_ways(tmp_path, monkeypatch, PLAIN_SHEET, strings, ooxml.FAST_PART_LIMIT)
    streamed, _ = _cells_both_ways(tmp_path, monkeypatch, PLAIN_SHEET, strings, 0)
    assert by_element == 0  # every cell was ordinary
    assert whole == streamed
    assert whole[(8, 3)] == ("FormulaCell", "(a formula)") and whole[(9, 1)] == ("ErrorValue", "#BAD-STRING")
    assert whole[(9, 2)] == ("ErrorValue", "#BAD-NUMBER") and whole[(9, 4)] == ("ErrorValue", "#DIV/0!")
    # Cells without a value are not read, whatever their type says.
    assert not {(8, 1), (8, 2), (9, 3), (10, 1), (10, 2), (10, 3)} & set(whole)
    assert whole[(9, 5)] == ("ErrorValue", "#BAD-STRING")  # not the last string: no negative index
    for key, value in PLAIN_EXPECTED.items():
        assert whole[key] == (type(value).__name__, str(value))


@pytest.mark.parametrize("unusual", [
    ('<x:c r="B6"><x:v>3</x:v></x:c>', '<x:c r="B6"><x:v>3</x:v><x:extLst/></x:c>'),  # an unknown child
    ('<x:c r="B6"><x:v>3</x:v>', '<x:c r="B6"><x:v xml:space="preserve">3</x:v>'),  # a value with attributes
])
def test_a_cell_not_matched_whole_sends_the_part_to_the_element_reader(tmp_path, monkeypatch, unusual):
    from connect_share_learn.read import ooxml

    sheet = PLAIN_SHEET.replace(*unusual)
    assert sheet != PLAIN_SHEET
    whole, by_element = _cells_both_ways(tmp_path, monkeypatch, sheet, PLAIN_STRINGS, ooxml.FAST_PART_LIMIT)
    streamed, _ = _cells_both_ways(tmp_path, monkeypatch, sheet, PLAIN_STRINGS, 0)
    assert by_element == 1 and whole == streamed and whole[(6, 2)] == ("float", "3.0")


def test_shared_strings_matched_whole_or_by_element_are_the_same(tmp_path):
    from connect_share_learn.read import ooxml

    found = []
    for strings in (PLAIN_STRINGS, RICH_STRINGS):
        pkg = ooxml.open_package(_package(tmp_path / f"s{len(found)}.xlsx", SHEET, strings))
        try:
            pkg._load_shared()
            found.append(pkg.shared)
        finally:
            pkg.close()
    assert found[0] == found[1] == ["code", "agency", "se_1", "se_2", "se_3", " 70 "]
    assert ooxml._plain_strings(RICH_STRINGS.encode(), b"") is None


@pytest.mark.parametrize("damage", [
    '<x:row r="9"><x:c r="A9"><x:f>SUM(' + "1," * 100_000,  # a formula never closed
    '<x:row r="9">' + '<x:c r="A9"><x:v>' * 20_000,  # values never closed
    '<x:row r="9">' + '<x:c r="A9" t="inlineStr"><x:is><x:t>' + "x" * 100_000,  # an inline string never closed
])
def test_damaged_cells_are_refused_by_the_whole_cell_reader(tmp_path, damage):
    from connect_share_learn.read import ooxml

    sheet = PLAIN_SHEET.replace("</x:sheetData>", damage + "</x:sheetData>")
    pkg = ooxml.open_package(_package(tmp_path / "damaged.xlsx", sheet, PLAIN_STRINGS))
    with pytest.raises(ooxml.Refused) as caught:
        pkg.read_cells("Start (t1)", [ooxml.Area("Start (t1)", 5, 1, 20, 5)])
    pkg.close()
    assert caught.value.code == "broken_xml"


def test_cells_without_references_are_read_by_the_streaming_reader(tmp_path):
    from connect_share_learn.read import ooxml

    sheet = SHEET.replace('<x:c r="C7">', "<x:c>").replace('<x:c r="A7" t="b">', '<x:c r="A7" t="b">')
    sheet = sheet.replace('<x:c r="D7" s="3"/>', '<x:c s="3"/>').replace('<x:c r="E7" t="str">', '<x:c t="str">')
    sheet = sheet.replace('<x:c r="C7">', "")
    sheet = sheet.replace('<x:row r="7"><x:c r="A7" t="b"><x:v>1</x:v></x:c><x:c>', '<x:row r="7"><x:c r="A7" t="b"><x:v>1</x:v></x:c><x:c s="1"/><x:c>')
    pkg = ooxml.open_package(_package(tmp_path / "noref.xlsx", sheet))
    try:
        cells = pkg.read_cells("Start (t1)", [ooxml.Area("Start (t1)", 5, 1, 20, 5)])
    finally:
        pkg.close()
    assert cells[(7, 1)] is True and cells[(7, 3)] == 70.0 and cells[(7, 5)] == "\u263a"


def test_a_sheet_cut_short_is_refused_by_either_reader(tmp_path, toolkit, monkeypatch):
    from connect_share_learn.read import ooxml

    for limit in (ooxml.FAST_PART_LIMIT, 0):
        monkeypatch.setattr(ooxml, "FAST_PART_LIMIT", limit)
        path = _package(tmp_path / f"broken{limit}.xlsx", SHEET[:SHEET.index('<x:row r="7">')])
        pkg = ooxml.open_package(path)
        with pytest.raises(ooxml.Refused) as caught:
            pkg.read_cells("Start (t1)", [ooxml.Area("Start (t1)", 5, 1, 20, 5)])
        pkg.close()
        assert caught.value.code == "broken_xml"


def test_a_damaged_part_is_refused_not_crashed_on(tmp_path, toolkit, foundation):
    path = contract_workbook(tmp_path / "crc.xlsx", toolkit, foundation, simulate(toolkit, foundation, 5, seed=9))
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet2.xml")
        data = zf.read(info.filename)
    with zipfile.ZipFile(tmp_path / "stored.xlsx", "w", zipfile.ZIP_STORED) as out, zipfile.ZipFile(path) as zf:
        for i in zf.infolist():
            out.writestr(i.filename, zf.read(i.filename), compress_type=zipfile.ZIP_STORED)
    raw = bytearray((tmp_path / "stored.xlsx").read_bytes())
    at = raw.find(data[200:240])
    raw[at:at + 5] = b"XXXXX"  # same length: only the checksum can tell
    (tmp_path / "stored.xlsx").write_bytes(bytes(raw))
    book = read_returned(tmp_path / "stored.xlsx", "stored.xlsx", toolkit)
    assert book.refused and book.problems[0].rule == "broken_zip" and "CRC" in book.problems[0].detail


def test_thousands_of_unclosed_cells_are_refused_quickly(tmp_path):
    import time

    from connect_share_learn.read import ooxml

    sheet = SHEET.replace("</x:sheetData>", '<x:row r="9">' + '<x:c r="A9"><x:v>1</x:v>' * 50_000 + "</x:sheetData>")
    pkg = ooxml.open_package(_package(tmp_path / "unclosed.xlsx", sheet))
    started = time.perf_counter()
    with pytest.raises(ooxml.Refused) as caught:
        pkg.read_cells("Start (t1)", [ooxml.Area("Start (t1)", 5, 1, 20, 5)])
    pkg.close()
    assert caught.value.code == "broken_xml" and time.perf_counter() - started < 2
