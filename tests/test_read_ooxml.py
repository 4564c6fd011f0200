"""One guarded reader for every .xlsx a user gives: returned workbooks (analyse, export), the
workbook to import into, participant lists and online responses all refuse the same hostile
files for the same reason, worded from the one catalogue."""

from __future__ import annotations

import zipfile

import pytest
import xlsxwriter

from connect_share_learn.analyse.quality import catalogue
from connect_share_learn.analyse.returned import read_returned
from connect_share_learn.errors import InputError
from connect_share_learn.importing.entry_sheet import open_workbook
from connect_share_learn.read import ooxml
from connect_share_learn.tabular import read_table


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _workbook_with(tmp_path, name: str, replace: dict[str, bytes]):
    """A real workbook with some parts replaced or added."""
    plain = tmp_path / f"plain-{name}.xlsx"
    book = xlsxwriter.Workbook(plain)
    book.add_worksheet().write_string(0, 0, "name")
    book.close()
    with zipfile.ZipFile(plain) as src:
        members = {n: src.read(n) for n in src.namelist()}
    return _zip(tmp_path / name, {**members, **replace})


# The workbook part, which every reader parses first, with an entity that would expand.
DOCTYPE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><workbook xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main"><sheets><sheet name="&a;" sheetId="1"/></sheets></workbook>')


def _file(path, data: bytes):
    path.write_bytes(data)
    return path

HOSTILE = {
    "zip_bomb": lambda t: _zip(t / "bomb.xlsx", {"xl/worksheets/sheet1.xml": b"\0" * 30_000_000}),
    "unsafe_xml": lambda t: _workbook_with(t, "doctype.xlsx", {"xl/workbook.xml": DOCTYPE}),
    "unsafe_name": lambda t: _workbook_with(t, "escape.xlsx", {"../../outside.xml": b"<x/>"}),
    "not_a_workbook": lambda t: _file(t / "text.xlsx", b"name\nAnn\n"),
    "legacy_xls": lambda t: _file(t / "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
    "broken_zip": lambda t: _file(t / "cut.xlsx", b"PK\x03\x04 cut short"),
}
CODES = {"unsafe_name": "unsafe_xml"}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_every_reader_refuses_a_hostile_file_for_the_same_reason(tmp_path, toolkit, kind):
    path = HOSTILE[kind](tmp_path)
    code = CODES.get(kind, kind)
    with pytest.raises(ooxml.Refused) as caught:
        ooxml.open_package(path).shared_strings()
    assert caught.value.code == code
    book = read_returned(path, path.name, toolkit)
    assert book.refused and book.problems[0].rule == code
    # The catalogue's sentence after its subject ("The workbook", "The file"), as every reader says it.
    sentence = catalogue()[code]["problem"].split(" ", 2)[2].split("(")[0].split("{")[0].rstrip(" .:")
    for read in (lambda: open_workbook(path, "t1"), lambda: read_table(path, "participant list")):
        with pytest.raises(InputError) as error:
            read()
        message = str(error.value)
        if kind == "not_a_workbook" and "participant list" in message:
            # A list may be CSV: one named .xlsx that is text gets the table reader's own advice.
            sentence = "is named like a spreadsheet but is not an .xlsx file"
        assert path.name in message and sentence in message, message


def test_a_part_is_never_read_past_its_declared_size(tmp_path):
    """A zip header that claims a small part but holds a large one cannot inflate it."""
    path = _workbook_with(tmp_path, "liar.xlsx", {"xl/sharedStrings.xml": b"<sst/>" + b" " * 2_000_000})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/sharedStrings.xml")
    # Lower the central directory's uncompressed size of that part to 100 bytes.
    entry = data.rfind(b"PK\x01\x02", 0, data.find(b"xl/sharedStrings.xml", data.find(b"PK\x01\x02")) + 1)
    data[entry + 24:entry + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    package = ooxml.open_package(path)
    with pytest.raises(ooxml.Refused):
        package.read("xl/sharedStrings.xml")
    package.close()
    assert info.file_size > 100
