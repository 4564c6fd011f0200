"""Pictures of the example workbook for the guide: ``templates/guide/workbook-*.png``.

One command, from the repository's folder, whenever the workbook's look has changed:

    PYTHONPATH=src .venv/bin/python tools/guide_screenshots.py

then look at the pictures it lists and commit them. Users build the pack without LibreOffice,
so the pictures cannot be made at build time: the guide copies these committed files.

How: ``csl demo --course foundation`` writes the example workbook (made-up answers); LibreOffice
recalculates it and exports each sheet as one PDF page; ``pdftoppm`` cuts each picture out of
its sheet's page at 96 dpi, the size the sheet has on screen at 100% zoom. A picture is either
a *window* at the sheet's top-left corner (what a user sees on opening the sheet), or the
*frames of some of the sheet's charts*, found by their titles (read from the workbook) and their
borders (found in the page's pixels). The pictures are listed in ``SHOTS`` below; the guide's
wording and alternative text for them are in ``templates/guide/index.html.j2``.

The output is deterministic: the example workbook is made from a fixed seed and date, and the
same LibreOffice, fonts and poppler draw the same pixels. Needs LibreOffice, poppler-utils
(``pdftoppm``, ``pdftotext``) and numpy. ``--out FOLDER`` writes the pictures elsewhere (the
tests use it).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from connect_share_learn.contract import TIME_POINT_SHEETS

REPOSITORY = Path(__file__).resolve().parent.parent
DPI = 96
COURSE = "foundation"
# Around a chart's frame, in pixels; a window has none (it cuts the sheet as a screen does).
MARGIN = 6
# A chart's border is a line at least this long (pixels): longer than any letter of its title.
BORDER_RUN = 60


@dataclass(frozen=True)
class Shot:
    """One picture: a window of ``window`` (width, height in points) at the top-left corner of
    ``sheet``, or the frames of its ``charts`` (1 = the first placed on the sheet) together."""

    name: str
    sheet: str
    window: tuple[float, float] | None = None
    charts: tuple[int, ...] = ()


SHOTS = (
    Shot("workbook-entry.png", TIME_POINT_SHEETS["t1"], window=(640, 300)),
    Shot("workbook-results.png", "Results", window=(600, 395)),
    Shot("workbook-charts.png", "Results", charts=(1, 2)),
)

NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
}


class ShotFailed(Exception):
    """A picture could not be cut: the message says which and what to change in SHOTS."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPOSITORY / "templates" / "guide",
                        help="folder to write the pictures into (default: templates/guide)")
    args = parser.parse_args(argv)
    try:
        written = make_pictures(args.out)
    except ShotFailed as exc:
        print(f"guide_screenshots: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path}  {path.stat().st_size // 1024} KB")
    return 0


def make_pictures(out: Path) -> list[Path]:
    """Every picture of SHOTS, written into ``out``; returns their paths."""
    from connect_share_learn import office

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="csl-shots-") as scratch:
        scratch = Path(scratch)
        workbook = scratch / f"example-{COURSE}.xlsx"
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        subprocess.run([sys.executable, "-m", "connect_share_learn", "demo", "--course", COURSE, "--out", str(workbook)],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        [pdf] = office.convert([workbook], scratch / "pdf", to=office.PDF_FILTER_ONE_PAGE_PER_SHEET)
        sheets = sheet_names(workbook)
        pages = page_count(pdf)
        if pages != len(sheets):
            raise ShotFailed(f"LibreOffice exported {pages} pages for {len(sheets)} sheets: each sheet should be one page")
        written = []
        for shot in SHOTS:
            if shot.sheet not in sheets:
                raise ShotFailed(f"{shot.name}: the example workbook has no sheet '{shot.sheet}' "
                                 f"(it has {', '.join(sheets)}); change SHOTS")
            page = sheets.index(shot.sheet) + 1
            box = window(shot, pdf, page) if shot.window else chart_frames(shot, workbook, sheets, pdf, page, scratch)
            written.append(cut(pdf, page, box, out / shot.name))
        return written


# ---------------------------------------------------------------------------------------------
# Where each picture is, in pixels at DPI on its sheet's page: (left, top, width, height)


def window(shot: Shot, pdf: Path, page: int) -> tuple[int, int, int, int]:
    """The shot's window, or less where the sheet is smaller."""
    info = subprocess.run(["pdfinfo", "-f", str(page), "-l", str(page), str(pdf)],
                          capture_output=True, text=True, check=True).stdout
    size = re.search(rf"^Page\s+{page} size:\s+([\d.]+) x ([\d.]+)", info, re.MULTILINE)
    width, height = (min(want, float(have)) for want, have in zip(shot.window, size.groups()))
    return 0, 0, int(width * DPI / 72), int(height * DPI / 72)


def chart_frames(shot: Shot, workbook: Path, sheets: list[str], pdf: Path, page: int,
                 scratch: Path) -> tuple[int, int, int, int]:
    """The box around the frames of the shot's charts, each found from its title's place on the
    page and the border drawn round it."""
    titles = chart_titles(workbook, sheets.index(shot.sheet))
    words = page_words(pdf, page)
    pixels = page_pixels(pdf, page, scratch)
    frames = []
    for number in shot.charts:
        if not 1 <= number <= len(titles):
            raise ShotFailed(f"{shot.name}: sheet '{shot.sheet}' has {len(titles)} charts, not a chart {number}")
        title = titles[number - 1]
        if not title:
            raise ShotFailed(f"{shot.name}: chart {number} of '{shot.sheet}' has no title to find it by")
        left, top, right, bottom = find_words(words, title, shot)
        frames.append(frame_around(pixels, (round((left + right) / 2 * DPI / 72), round((top + bottom) / 2 * DPI / 72)),
                                   f"{shot.name}: chart {number} ('{title}')"))
    left = max(0, min(f[0] for f in frames) - MARGIN)
    top = max(0, min(f[1] for f in frames) - MARGIN)
    right = min(pixels.shape[1] - 1, max(f[2] for f in frames) + MARGIN)
    bottom = min(pixels.shape[0] - 1, max(f[3] for f in frames) + MARGIN)
    return left, top, right - left + 1, bottom - top + 1


def frame_around(pixels: np.ndarray, point: tuple[int, int], what: str) -> tuple[int, int, int, int]:
    """The border (left, top, right, bottom) round ``point``, a point of a chart's title: the
    nearest column on each side where a line of ink runs down at least BORDER_RUN pixels."""
    x, y = point
    ink = (pixels < 245).any(axis=2)
    height, width = ink.shape
    if y + BORDER_RUN > height:
        raise ShotFailed(f"{what}: its title is too near the foot of the page to find its border")
    runs_down = ink[y:y + BORDER_RUN].all(axis=0)
    left = next((c for c in range(x, -1, -1) if runs_down[c]), None)
    right = next((c for c in range(x, width) if runs_down[c]), None)
    if left is None or right is None:
        raise ShotFailed(f"{what}: no border found round its title; give the shot a window instead")
    top, bottom = y, y
    while top > 0 and ink[top - 1, left]:
        top -= 1
    while bottom < height - 1 and ink[bottom + 1, left]:
        bottom += 1
    return left, top, right, bottom


# ---------------------------------------------------------------------------------------------
# Reading the workbook (its zip, with the standard library) and the PDF (with poppler)


def sheet_names(workbook: Path) -> list[str]:
    """Every sheet, hidden ones too, in the workbook's order: LibreOffice exports a page for each."""
    with zipfile.ZipFile(workbook) as book:
        root = ElementTree.fromstring(book.read("xl/workbook.xml"))
    return [s.get("name") for s in root.iterfind("main:sheets/main:sheet", NS)]


def chart_titles(workbook: Path, sheet_index: int) -> list[str]:
    """The titles of a sheet's charts, in the order they are placed in its drawing."""
    with zipfile.ZipFile(workbook) as book:
        root = ElementTree.fromstring(book.read("xl/workbook.xml"))
        sheet = root.findall("main:sheets/main:sheet", NS)[sheet_index]
        sheet_path = _target(book, "xl/workbook.xml", sheet.get(f"{{{NS['r']}}}id"))
        drawing = ElementTree.fromstring(book.read(sheet_path)).find("main:drawing", NS)
        if drawing is None:
            return []
        drawing_path = _target(book, sheet_path, drawing.get(f"{{{NS['r']}}}id"))
        titles = []
        for chart in ElementTree.fromstring(book.read(drawing_path)).iter(f"{{{NS['c']}}}chart"):
            chart_xml = ElementTree.fromstring(book.read(_target(book, drawing_path, chart.get(f"{{{NS['r']}}}id"))))
            title = chart_xml.find("c:chart/c:title", NS)
            titles.append("".join(t.text or "" for t in title.iter(f"{{{NS['a']}}}t")) if title is not None else "")
        return titles


def _target(book: zipfile.ZipFile, part: str, rel_id: str) -> str:
    """The part that relationship ``rel_id`` of ``part`` points at, as a path in the zip."""
    folder, name = part.rsplit("/", 1)
    rels = ElementTree.fromstring(book.read(f"{folder}/_rels/{name}.rels"))
    target = next(r.get("Target") for r in rels.iterfind("rel:Relationship", NS) if r.get("Id") == rel_id)
    parts = (target.lstrip("/") if target.startswith("/") else f"{folder}/{target}").split("/")
    resolved: list[str] = []
    for piece in parts:
        if piece == "..":
            resolved.pop()
        elif piece != ".":
            resolved.append(piece)
    return "/".join(resolved)


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def page_words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """The words of a page with their boxes in points: (word, left, top, right, bottom)."""
    html = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([-\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    return [(_unescape(w), float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, w in found]


def _unescape(word: str) -> str:
    return word.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def find_words(words: list, text: str, shot: Shot) -> tuple[float, float, float, float]:
    """The box round the first run of the page's words that reads ``text``."""
    wanted = text.split()
    plain = [w[0] for w in words]
    for i in range(len(plain) - len(wanted) + 1):
        if plain[i:i + len(wanted)] == wanted:
            run = words[i:i + len(wanted)]
            return min(w[1] for w in run), min(w[2] for w in run), max(w[3] for w in run), max(w[4] for w in run)
    raise ShotFailed(f"{shot.name}: the chart title '{text}' is not on the page of sheet '{shot.sheet}'")


def page_pixels(pdf: Path, page: int, scratch: Path) -> np.ndarray:
    """A page drawn at DPI, as an array of RGB pixels (rows, columns, 3)."""
    root = scratch / f"page-{page}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(root)],
                   check=True)
    data = (root.with_suffix(".ppm")).read_bytes()
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    width, height = int(header.group(1)), int(header.group(2))
    return np.frombuffer(data, np.uint8, offset=header.end()).reshape(height, width, 3)


def cut(pdf: Path, page: int, box: tuple[int, int, int, int], target: Path) -> Path:
    """Draw ``box`` of ``page`` at DPI into the PNG ``target``."""
    left, top, width, height = box
    root = target.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
                    "-x", str(left), "-y", str(top), "-W", str(width), "-H", str(height), str(pdf), str(root)],
                   check=True)
    return target


if __name__ == "__main__":
    sys.exit(main())
