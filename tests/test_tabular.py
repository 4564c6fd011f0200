"""tabular: the one reader of the tables users give us (participant lists, online responses).

Each test writes the file as a user's program would — the bytes inline — and names what a
careful user would expect of it. The last tests hold the two callers to the same reading.
"""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
import xlsxwriter

from connect_share_learn.errors import InputError
from connect_share_learn.importing.responses import read_responses
from connect_share_learn.participants import read_participants
from connect_share_learn.tabular import Table, garbled, misread_utf8, read_table

PEOPLE = "name,agency\r\nZoë Brontë,Police\r\nJosé O’Neill,Health\r\n"


def table_of(tmp_path, data: bytes, name: str = "people.csv") -> Table:
    path = tmp_path / name
    path.write_bytes(data)
    return read_table(path, "participant list")


def refusal(tmp_path, data: bytes, name: str = "people.csv") -> str:
    with pytest.raises(InputError) as caught:
        table_of(tmp_path, data, name)
    message = str(caught.value)
    assert name in message
    assert "\ufffd" not in message
    return message


def values(table: Table) -> list[list]:
    return [row.cells for row in table.rows]


# ---------------------------------------------------------------------------------------------
# Encodings: every one Excel and the online services write, nothing replaced


@pytest.mark.parametrize("encoding,written", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),  # Excel's "CSV UTF-8"
    ("utf-16", "utf-16"),  # Excel's "Unicode Text" (little-endian, with a byte-order mark)
    ("utf-16-be-bom", "utf-16"),
    ("cp1252", "cp1252"),  # Excel's "CSV" on Windows
])
def test_every_encoding_excel_writes_reads_the_same(tmp_path, encoding, written):
    data = (b"\xfe\xff" + PEOPLE.encode("utf-16-be")) if encoding == "utf-16-be-bom" else PEOPLE.encode(encoding)
    table = table_of(tmp_path, data)
    assert table.encoding == written
    assert table.headers == ["name", "agency"]
    assert values(table) == [["Zoë Brontë", "Police"], ["José O’Neill", "Health"]]
    assert table.warnings == []


def test_a_byte_no_encoding_knows_is_refused_with_its_line(tmp_path):
    # Mac Roman "è" is 0x8F, which is neither UTF-8 nor Windows-1252.
    message = refusal(tmp_path, "name\r\nAnn Lee\r\nHélène Mère\r\n".encode("mac_roman"))
    assert "people.csv:3:" in message and "byte 0x8F" in message and "CSV UTF-8" in message


def test_damaged_utf16_is_refused(tmp_path):
    message = refusal(tmp_path, "name\r\nAnn\r\n".encode("utf-16") + b"\x00")
    assert "UTF-16" in message and "CSV UTF-8" in message


def test_utf16_without_a_byte_order_mark_is_refused_as_binary(tmp_path):
    assert "binary data" in refusal(tmp_path, "name\r\nAnn\r\n".encode("utf-16-le"))


# ---------------------------------------------------------------------------------------------
# Mis-encoded text that decodes anyway: a warning the caller shows


def test_a_mac_roman_list_read_as_windows_1252_warns_naming_the_line_and_word(tmp_path):
    table = table_of(tmp_path, "name\r\nAnn Lee\r\nJosé Núñez\r\n".encode("mac_roman"))
    assert values(table)[1] == ["JosŽ Nœ–ez"]  # what Windows-1252 makes of it: read, but flagged
    [warning] = table.warnings
    assert warning.line == 3 and "'JosŽ' looks garbled" in warning.message and "(line 3)" in warning.message
    assert "CSV UTF-8" in warning.hint
    assert str(warning).startswith(f"{tmp_path / 'people.csv'}:3: ")


def test_utf8_mixed_with_windows_1252_warns(tmp_path):
    data = "name\r\nJosé\r\n".encode() + "Zoë\r\n".encode("cp1252")
    table = table_of(tmp_path, data)
    assert table.encoding == "cp1252" and values(table)[0] == ["JosÃ©"]
    assert "'JosÃ©' looks like 'José'" in table.warnings[0].message


# Names garbled before they reached us: UTF-8 read as Windows-1252 (or Latin-1) and saved again.
GARBLED = ["JosÃ© Núñez", "Siân", "ZoÃ« Brontë", "Ann Lee", "Å\x81ukasz Nowak", "Å´yn Jones", "Ann Lee",
           "Ã‰lodie", "Mary O’Neill", "Ã˜rsted, Ã\x85sa", "JosÃƒÂ©"]
GARBLED_ROWS = [2, 4, 6, 7, 9, 11, 12]  # the rows a spreadsheet shows (the headings are row 1)


def garbled_list(tmp_path, kind: str):
    path = tmp_path / ("people.xlsx" if kind == "xlsx" else "people.csv")
    if kind == "xlsx":
        wb = xlsxwriter.Workbook(path)
        ws = wb.add_worksheet()
        ws.write_column(0, 0, ["name"] + GARBLED)
        wb.close()
    else:
        text = "name\r\n" + "".join(f"\"{n}\"\r\n" for n in GARBLED)
        path.write_bytes(text.encode("utf-8") if kind == "utf-8" else text.encode("utf-16"))
    return path


@pytest.mark.parametrize("kind", ["utf-8", "utf-16", "xlsx"])
def test_names_garbled_before_they_reached_us_are_flagged_whatever_the_encoding(tmp_path, kind):
    path = garbled_list(tmp_path, kind)
    table = read_table(path, "participant list")
    assert [c[0] for c in values(table)] == GARBLED  # read as they are: the warning says what to do
    [warning] = table.warnings
    unit = "row" if kind == "xlsx" else "line"
    assert "'JosÃ©' looks like 'José' garbled, as UTF-8 text read in another encoding is" in warning.message
    assert f"({unit}s {', '.join(map(str, GARBLED_ROWS[:-1]))} and {GARBLED_ROWS[-1]})" in warning.message
    assert "re-save it as UTF-8 from the original" in warning.hint
    assert str(warning).startswith(str(path))
    # The participant list passes it on with the file and the rows.
    [shown] = [w for w in read_participants(path).warnings if "looks like" in w]
    assert str(path) in shown and "José" in shown and f"{unit}s 2, 4, 6" in shown


@pytest.mark.parametrize("word,was", [
    ("JosÃ©", "José"), ("ZoÃ«", "Zoë"), ("SiÃ¢n", "Siân"), ("Å\x81ukasz", "Łukasz"), ("Å´yn", "Ŵyn"),
    ("donâ€™t", "don’t"), ("Ã‰lodie", "Élodie"), ("JosÃƒÂ©", "JosÃ©"), ("Ð˜Ð²Ð°Ð½", "Иван"), ("Â£5", "£5"),
])
def test_what_a_garbled_word_was(word, was):
    assert misread_utf8(word) == was


REAL_NAMES = ("José Núñez, Zoë Brontë, Siân Ŵyn, Łukasz Żółć, Mary O’Neill, Müller, JOÃO, SÃO PAULO, Ørsted, "
              "Søren Kierkegaard, François, Đorđe, Ångström, CAFÉ’S, Dušan, Œuvre, cœur, “quoted”, 5–7, £5 €6, "
              "Ã bientôt, Ñandú, Ìsola, ÉTÉ…, Bjørk Guðmundsdóttir, Nguyễn Thị, İlkay Gündoğan, Иван, Zażółć")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "xlsx"])
def test_real_names_with_accents_are_not_flagged(tmp_path, encoding):
    names = REAL_NAMES.split(", ")
    path = tmp_path / ("people.xlsx" if encoding == "xlsx" else "people.csv")
    if encoding == "xlsx":
        wb = xlsxwriter.Workbook(path)
        wb.add_worksheet().write_column(0, 0, ["name"] + names)
        wb.close()
    else:
        path.write_bytes(("name\r\n" + "\r\n".join(f'"{n}"' for n in names) + "\r\n").encode(encoding))
    table = read_table(path, "participant list")
    assert [c[0] for c in values(table)] == names and table.warnings == []
    assert all(misread_utf8(word) is None for word in REAL_NAMES.replace(",", " ").split())


def test_real_names_in_windows_1252_are_not_flagged(tmp_path):
    names = [n for n in REAL_NAMES.split(", ") if n.encode("cp1252", "ignore").decode("cp1252") == n]
    assert len(names) > 15
    table = table_of(tmp_path, ("name\r\n" + "\r\n".join(f'"{n}"' for n in names) + "\r\n").encode("cp1252"))
    assert table.encoding == "cp1252" and table.warnings == []


@pytest.mark.parametrize("text,flagged", [
    ("JosŽ Nœ–ez", ["JosŽ", "Nœ–ez"]),  # Mac Roman é, ú, ñ
    ("MŸller", ["MŸller"]),  # Mac Roman ü
    ("donâ€™t", ["donâ€™t"]),  # UTF-8 ’ read as Windows-1252
    ("Zoë Brontë, José O’Neill, “quoted”, café – bar, Dušan, Œuvre, cœur, 5–7, £5 €6", []),
])
def test_words_that_look_garbled_in_text_read_as_windows_1252(text, flagged):
    assert [word for word, _ in garbled(text, windows_1252=True)] == flagged


def test_a_utf8_file_is_not_suspected_of_mac_roman_signs(tmp_path):
    assert table_of(tmp_path, "name\r\nJosŽ\r\n".encode()).warnings == []


# ---------------------------------------------------------------------------------------------
# Separators and places


@pytest.mark.parametrize("data", [
    b"code,se_1,com\r\nAB01C,50,\"a; b\"\r\n",
    b"code;se_1;com\r\nAB01C;50;\"a, b\"\r\n",
    b"code\tse_1\tcom\r\nAB01C\t50\ta, b\r\n",
    b'"code, as typed";se_1;com\r\nAB01C;50;\r\n',  # commas inside quotes do not count
])
def test_the_separator_is_the_one_the_header_uses(tmp_path, data):
    table = table_of(tmp_path, data)
    assert len(table.headers) == 3 and values(table)[0][:2] == ["AB01C", "50"]


def test_rows_carry_their_physical_line_and_their_spreadsheet_row(tmp_path):
    table = table_of(tmp_path, b'sep=;\r\ncode;com\r\nAB01C;"two\r\nlines"\r\n\r\nCD02E;\r\n')
    assert table.header_line == 2
    assert [(r.line, r.number, r.place) for r in table.rows] == [(3, 2, "line 3"), (6, 4, "line 6")]
    assert values(table) == [["AB01C", "two\r\nlines"], ["CD02E", None]]


def test_short_rows_are_padded_and_empty_extra_values_allowed(tmp_path):
    table = table_of(tmp_path, b"a,b,c\r\n1\r\n1,2,3,,\r\n")
    assert values(table) == [["1", None, None], ["1", "2", "3"]]


# ---------------------------------------------------------------------------------------------
# Refusals: one sentence naming the file and the line


@pytest.mark.parametrize("data,line,words", [
    (b'name,agency\r\n"Ann, unclosed,Police\r\nBo,Housing\r\nCy,Health\r\n', 2, "never closed"),
    (b'name,agency\r\n"Ann, unclosed\r\nBo,Li"\r\nCy,Health\r\n', 2, "probably never closed"),  # swallows a line
    (b'name,agency\r\nBo,Housing\r\n"Ann" Lee,Police\r\n', 3, "text follows its closing quote"),
    (b"name,agency\r\nLee, Ann,Police\r\n", 2, "3 values but the header names only 2"),
])
def test_ragged_quoting_is_refused_at_its_line(tmp_path, data, line, words):
    message = refusal(tmp_path, data)
    assert f"people.csv:{line}:" in message and words in message


@pytest.mark.parametrize("data,words", [
    (b"", "is empty"),
    (b"\xef\xbb\xbf\r\n  \r\n", "is empty"),
    (b"sep=;\r\n", "is empty"),
    (b",,\r\nAnn,Lee,Police\r\n", "first row has no column headings"),
])
def test_empty_files_and_missing_headers_are_refused(tmp_path, data, words):
    assert words in refusal(tmp_path, data)


def test_other_files_are_refused_by_what_they_are(tmp_path):
    assert "does not exist" in refusal_of(tmp_path / "nope.csv")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    assert "'.pdf' files cannot be read" in refusal_of(tmp_path / "notes.pdf")
    (tmp_path / "fake.xlsx").write_text("name\nAnn\n")
    assert "named like a spreadsheet but is not an .xlsx file" in refusal_of(tmp_path / "fake.xlsx")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "old-style Excel 97-2003 (.xls) file" in refusal_of(tmp_path / "old.xls")
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)
    assert "zip bomb" in refusal_of(tmp_path / "bomb.xlsx")


def refusal_of(path) -> str:
    with pytest.raises(InputError) as caught:
        read_table(path, "participant list")
    assert path.name in str(caught.value)
    return str(caught.value)


# ---------------------------------------------------------------------------------------------
# XLSX: the first sheet, read through the guarded package reader


def test_the_first_sheet_of_a_workbook(tmp_path):
    path = tmp_path / "people.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("List")
    date = wb.add_format({"num_format": "d mmm yyyy"})
    ws.write_row(2, 0, ["Name", "Course date", "Places", " Note "])  # the headings on row 3
    ws.write_row(3, 0, ["Ann Lee"])
    ws.write_datetime(3, 1, dt.datetime(2026, 3, 3), date)
    ws.write_number(3, 2, 2)
    ws.write_string(5, 0, "Bo Li")
    wb.add_worksheet("Other").write_string(0, 0, "never read")
    wb.close()
    table = read_table(path, "participant list")
    assert table.encoding == "xlsx" and table.headers == ["Name", "Course date", "Places", "Note"]
    assert [(r.number, r.place) for r in table.rows] == [(4, "row 4"), (6, "row 6")]
    assert values(table) == [["Ann Lee", dt.datetime(2026, 3, 3), 2.0, None], ["Bo Li", None, None, None]]


def test_a_value_beyond_the_headings_is_refused(tmp_path):
    path = tmp_path / "people.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["name"])
    ws.write_row(1, 0, ["Ann", "", "stray"])
    wb.close()
    assert "row 2 has a value in column C, which has no heading" in refusal_of(path)


# ---------------------------------------------------------------------------------------------
# Both callers read a file the same way


def test_the_participant_list_and_the_responses_read_the_same_utf16_file(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("code\tname\tse_1\r\nAB01C\tSiân Ŵyn\t50\r\n".encode("utf-16"))
    people = read_participants(path)
    responses = read_responses(path)
    assert people.participants[0].name == "Siân Ŵyn" and people.participants[0].row == 2
    assert responses.rows[0].cells == ["AB01C", "Siân Ŵyn", "50"] and responses.rows[0].place == "line 2"


def test_the_participant_list_passes_on_the_warning_and_the_refusals(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("name\r\nJosé Núñez\r\n".encode("mac_roman"))
    assert any("people.csv:2:" in w and "looks garbled" in w for w in read_participants(path).warnings)
    path.write_bytes(b'name,agency\r\n"Ann, unclosed,Police\r\nBo Li,Housing\r\n')
    with pytest.raises(InputError, match=r"people\.csv:2: .*never closed"):
        read_participants(path)


def test_a_date_cell_of_the_participant_list_is_written_the_uk_way(tmp_path):
    path = tmp_path / "people.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["name", "course_date"])
    ws.write_string(1, 0, "Ann Lee")
    ws.write_datetime(1, 1, dt.datetime(2026, 3, 3), wb.add_format({"num_format": "dd/mm/yyyy"}))
    wb.close()
    assert read_participants(path, {"course_date"}).participants[0].fields["course_date"] == "3 March 2026"


# ---------------------------------------------------------------------------------------------
# Title rows above the headings, as booking systems and people add them


def xlsx_of(path, rows: dict[int, list]):
    """An .xlsx file with ``rows`` (1-based row number → values from column A)."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    for number, cells in rows.items():
        ws.write_row(number - 1, 0, cells)
    wb.close()
    return path


def test_a_csv_list_under_a_title_is_read_from_the_row_that_names_the_people(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("Foundation course – 3 March 2026,,\r\n\r\nName,Agency,Email\r\nAnn Lee,Police,ann@example.org\r\n"
                     "Bo Li,Health,\r\n".encode())
    people = read_participants(path)
    assert [(p.row, p.name, p.fields["agency"]) for p in people.participants] == [(4, "Ann Lee", "Police"), (5, "Bo Li", "Health")]
    [note] = people.warnings
    assert note == (f"{path}:3: the column headings are on line 3: line 1 above them "
                    "('Foundation course – 3 March 2026') looks like a title and was left out")


def test_an_xlsx_list_under_a_title_and_a_subtitle(tmp_path):
    path = xlsx_of(tmp_path / "people.xlsx", {1: ["Delegate list"], 2: ["Anytown Safeguarding Partnership"],
                                              4: ["First name", "Surname", "Agency"], 5: ["Ann", "Lee", "Police"]})
    people = read_participants(path)
    assert [(p.row, p.name) for p in people.participants] == [(5, "Ann Lee")]
    assert people.warnings == [f"{path}: the column headings are on row 4: rows 1 and 2 above them ('Delegate list', "
                               "'Anytown Safeguarding Partnership') look like a title and were left out"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_title_over_headings_without_names_says_so(tmp_path, kind):
    if kind == "csv":
        path = tmp_path / "people.csv"
        path.write_bytes(b"Delegate list\r\nAttendee ref;Agency\r\n17;Police\r\n")
    else:
        path = xlsx_of(tmp_path / "people.xlsx", {1: ["Delegate list"], 2: ["Attendee ref", "Agency"], 3: [17, "Police"]})
    with pytest.raises(InputError) as caught:
        read_participants(path)
    message = str(caught.value)
    place = "line" if kind == "csv" else "row"
    assert "has no column 'name' (or 'first_name' and 'last_name')" in message
    assert f"the headings were taken from {place} 2 ('Attendee ref', 'Agency'), under a title in {place} 1" in message


def test_the_header_row_can_be_given(tmp_path):
    path = xlsx_of(tmp_path / "people.xlsx", {1: ["Delegate", "Foundation course, 3 March"], 3: ["name", "agency"],
                                              4: ["Ann Lee", "Police"]})
    assert read_participants(path).participants[0].name == "name"  # "Delegate" names a column of people
    people = read_participants(path, header_row=3)
    assert [(p.row, p.name) for p in people.participants] == [(4, "Ann Lee")] and people.warnings == []
    for row in (2, 9):
        with pytest.raises(InputError, match=rf"people\.xlsx: row {row}, given as the row of the column headings, is "):
            read_participants(path, header_row=row)


def test_the_header_row_of_a_csv_is_counted_as_a_spreadsheet_shows_it(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b'Delegate,"Foundation, 3 March"\r\n\r\nname,agency\r\n"Lee, Ann",Police\r\n')
    people = read_participants(path, header_row=3)
    assert [(p.row, p.name) for p in people.participants] == [(4, "Lee, Ann")] and people.warnings == []


def test_online_responses_under_a_title_row(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"Kobo export 3 March;;\r\nstart;code;self_efficacy/se_1\r\n2026-03-03;AB01C;50\r\n")
    table = read_responses(path)
    assert table.headers == ["start", "code", "self_efficacy/se_1"] and table.rows[0].cells[1] == "AB01C"
    assert table.header_line == 2 and "line 1 above them ('Kobo export 3 March')" in table.warnings[0].message
