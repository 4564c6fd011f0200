"""Guarded reading of an .xlsx package: the zip checks and XML parsing every untrusted file gets.

Before any XML is parsed the file is checked as a zip (size, member count, total and
per-member uncompressed size, compression ratio, encryption, member names); each part is
decompressed with a hard limit (a member's declared size may lie), and parsed by expat with
document types refused, so no entity can expand. Every refusal is an :class:`InputError`
naming the file and, where it helps, the part.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.parsers import expat

from connect_share_learn.errors import InputError

# Far above anything the toolkit builds (5,000 rows re-saved by LibreOffice is ~15 MB zipped).
MAX_FILE_BYTES = 150_000_000
MAX_MEMBERS = 2_000
MAX_TOTAL_UNCOMPRESSED = 600_000_000
MAX_PART_UNCOMPRESSED = 400_000_000
MAX_RATIO = 250  # real workbook XML compresses up to ~100 times; a zip bomb thousands of times
RATIO_APPLIES_ABOVE = 5_000_000

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE = NS_REL + "/officeDocument"
REL_CUSTOM = NS_REL + "/custom-properties"
REL_SHARED = NS_REL + "/sharedStrings"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class Package:
    """An opened, checked .xlsx zip; parts are read on demand with size limits.

    With ``in_memory`` the file is read whole and closed at once: ``data`` holds the bytes
    checked, and the file itself can be replaced while the package is open (Windows refuses
    to replace a file that is held open).
    """

    def __init__(self, path: Path, what: str = "workbook", *, in_memory: bool = False):
        self.path = Path(path)
        self.what = what
        self.data: bytes | None = None
        try:
            size = self.path.stat().st_size
            with self.path.open("rb") as fh:
                magic = fh.read(8)
                if in_memory and size <= MAX_FILE_BYTES:
                    self.data = magic + fh.read(MAX_FILE_BYTES + 1 - len(magic))
                    size = len(self.data)
        except OSError as exc:
            raise InputError(self.path, f"the {what} cannot be read ({exc.strerror})",
                             "check the path and that the file is not open elsewhere") from exc
        if size > MAX_FILE_BYTES:
            raise InputError(self.path, f"the {what} is {size / 1e6:.0f} MB, more than the "
                             f"{MAX_FILE_BYTES / 1e6:.0f} MB a workbook of this toolkit can be", "check it is the right file")
        if magic.startswith(_OLE_MAGIC):
            raise InputError(self.path, f"the {what} is an old-style .xls file or is password-protected",
                             "open it in Excel or LibreOffice and save it as .xlsx without a password")
        if not magic.startswith(_ZIP_MAGIC):
            raise InputError(self.path, f"the {what} is not an .xlsx file (it is not a zip archive)",
                             "save it from Excel or LibreOffice as an Excel workbook (.xlsx)")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(self.data) if in_memory else self.path)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InputError(self.path, f"the {what} is damaged and cannot be opened as .xlsx ({exc})",
                             "open it in Excel or LibreOffice and save it again") from exc
        if len(infos) > MAX_MEMBERS:
            raise InputError(self.path, f"the {what} holds {len(infos)} parts, far more than an .xlsx file has",
                             "check it is the right file")
        total = 0
        for info in infos:
            name = info.filename
            if info.flag_bits & 0x1:
                raise InputError(self.path, f"the {what} is encrypted", "save it again without a password")
            if name.startswith("/") or ".." in name.split("/") or "\\" in name:
                raise InputError(self.path, f"the {what} has a part with an unsafe name ({name!r})",
                                 "check it is the right file")
            if info.file_size > MAX_PART_UNCOMPRESSED:
                raise InputError(self.path, f"the {what}'s part {name} would unpack to {info.file_size / 1e6:.0f} MB",
                                 "check it is the right file")
            if info.file_size > RATIO_APPLIES_ABOVE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise InputError(self.path, f"the {what}'s part {name} is compressed suspiciously well "
                                 f"({info.file_size // max(info.compress_size, 1)}:1), as a zip bomb is",
                                 "check it is the right file")
            total += info.file_size
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise InputError(self.path, f"the {what} would unpack to {total / 1e6:.0f} MB, more than any "
                             "workbook of this toolkit", "check it is the right file")
        self.infos = infos
        self.names = {i.filename for i in infos}

    def close(self) -> None:
        self.zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """A part's bytes, never more than its checked size (a lying header cannot inflate it)."""
        info = self.zip.getinfo(name)
        try:
            with self.zip.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise InputError(self.path, f"the {self.what}'s part {name} is damaged ({exc})",
                             "open it in Excel or LibreOffice and save it again") from exc
        if len(data) > info.file_size:
            raise InputError(self.path, f"the {self.what}'s part {name} is larger than its zip entry says",
                             "check it is the right file")
        return data

    def parse(self, name: str, handler: "XmlHandler") -> None:
        """Parse part ``name`` with ``handler``'s callbacks; refuses document types."""
        parse_xml(self.read(name), self.path, name, handler)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationships of ``part``: id → (type, target part name)."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels_name):
            return {}
        out: dict[str, tuple[str, str]] = {}

        def start(tag, attrs):
            if tag == f"{NS_PKG_REL} Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
                out[attrs.get("Id", "")] = (attrs.get("Type", ""), resolved)

        self.parse(rels_name, XmlHandler(start=start))
        return out

    def main_part(self) -> str:
        for rel_type, target in self.rels("").values():
            if rel_type == REL_OFFICE:
                return target
        if self.has("xl/workbook.xml"):
            return "xl/workbook.xml"
        raise InputError(self.path, f"the {self.what} has no workbook part; it is not a spreadsheet",
                         "save it from Excel or LibreOffice as an Excel workbook (.xlsx)")

    def part_of_type(self, part: str, rel_type: str, fallback: str | None = None) -> str | None:
        for kind, target in self.rels(part).values():
            if kind == rel_type and self.has(target):
                return target
        return fallback if fallback and self.has(fallback) else None


class XmlHandler:
    """Callbacks for :func:`parse_xml`: ``start(tag, attrs)``, ``end(tag)``, ``text(data)``.

    Tags arrive as ``"<namespace> <local name>"``.
    """

    def __init__(self, start=None, end=None, text=None):
        self.start, self.end, self.text = start, end, text


def parse_xml(data: bytes, file: Path | str, part: str, handler: XmlHandler) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_args):
        raise InputError(file, f"the part {part} declares a document type, which an .xlsx file never does",
                         "check it is the right file")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    if handler.start:
        parser.StartElementHandler = handler.start
    if handler.end:
        parser.EndElementHandler = handler.end
    if handler.text:
        parser.CharacterDataHandler = handler.text
        parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InputError(file, f"the part {part} is not well-formed XML ({expat.errors.messages[exc.code]} "
                         f"at line {exc.lineno})", "open the file in Excel or LibreOffice and save it again") from exc


def shared_strings(pkg: Package, part: str | None) -> list[str]:
    """The shared-string table (phonetic runs left out)."""
    if part is None:
        return []
    out: list[str] = []
    state = {"depth_rph": 0, "in_t": False, "buf": []}
    si, t, rph = f"{NS_MAIN} si", f"{NS_MAIN} t", f"{NS_MAIN} rPh"

    def start(tag, attrs):
        if tag == si:
            state["buf"] = []
        elif tag == rph:
            state["depth_rph"] += 1
        elif tag == t and not state["depth_rph"]:
            state["in_t"] = True

    def end(tag):
        if tag == si:
            out.append("".join(state["buf"]))
        elif tag == rph:
            state["depth_rph"] -= 1
        elif tag == t:
            state["in_t"] = False

    def text(data):
        if state["in_t"]:
            state["buf"].append(data)

    pkg.parse(part, XmlHandler(start, end, text))
    return out


def custom_properties(pkg: Package) -> dict[str, str]:
    """Custom document properties (``docProps/custom.xml``) as name → text."""
    part = pkg.part_of_type("", REL_CUSTOM, "docProps/custom.xml")
    if part is None:
        return {}
    out: dict[str, str] = {}
    state = {"name": None, "buf": []}

    def start(tag, attrs):
        if tag.endswith(" property"):
            state["name"], state["buf"] = attrs.get("name"), []

    def end(tag):
        if tag.endswith(" property") and state["name"]:
            out[state["name"]] = "".join(state["buf"]).strip()
            state["name"] = None

    def text(data):
        if state["name"]:
            state["buf"].append(data)

    pkg.parse(part, XmlHandler(start, end, text))
    return out


# ---------------------------------------------------------------------------------------------
# Cell references and values

_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def column_number(letters: str) -> int:
    """``A`` → 0, ``AB`` → 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def split_ref(ref: str) -> tuple[int, int] | None:
    """``B12`` → (11, 1): 0-based row and column; None when not a cell reference."""
    m = _CELL_REF.match(ref)
    if not m:
        return None
    return int(m.group(2)) - 1, column_number(m.group(1))


def unescape(text: str) -> str:
    """XML character references and the five entities, as in cell text."""
    return html.unescape(text) if "&" in text else text
