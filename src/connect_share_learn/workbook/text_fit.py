"""How much room a text takes in a cell: its width, its wrapped lines and the row height they need.

Excel and LibreOffice never grow a row for wrapped text they did not lay out themselves (a
row written by XlsxWriter keeps the height it is given), so every row that holds more than
one line of text is given its height here, from the text and the width of its columns.
Widths are Carlito's (the metric twin of Calibri, the workbook's font, which LibreOffice
uses in its place), in thousandths of an em; estimates err on the roomy side.
"""

from __future__ import annotations

import functools
import math

_ASCII = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
_REGULAR = [226, 326, 401, 498, 507, 715, 682, 221, 303, 303, 498, 498, 250, 306, 252, 386, 507, 507, 507, 507, 507,
            507, 507, 507, 507, 507, 268, 268, 498, 498, 498, 463, 894, 579, 544, 533, 615, 488, 459, 631, 623, 252, 319,
            520, 420, 855, 646, 662, 517, 673, 543, 459, 487, 642, 567, 890, 519, 487, 468, 307, 386, 307, 498, 498, 291,
            479, 525, 423, 525, 498, 305, 471, 525, 229, 239, 455, 229, 799, 525, 527, 525, 525, 349, 391, 335, 525, 452,
            715, 433, 453, 395, 314, 460, 314, 498]
_BOLD = [226, 326, 438, 498, 507, 729, 705, 233, 312, 312, 498, 498, 258, 306, 267, 430, 507, 507, 507, 507, 507, 507,
         507, 507, 507, 507, 276, 276, 498, 498, 498, 463, 898, 606, 561, 529, 630, 488, 459, 637, 631, 267, 331, 547, 423,
         874, 659, 676, 532, 686, 563, 473, 495, 653, 591, 906, 551, 520, 478, 325, 430, 325, 498, 498, 300, 494, 537, 418,
         537, 503, 316, 474, 537, 246, 255, 480, 246, 813, 537, 538, 537, 537, 355, 399, 347, 537, 473, 745, 459, 474, 397,
         344, 475, 344, 498]
_OTHER = {"—": 905, "–": 498, "→": 1000, "±": 498, "£": 507, "’": 250, "‘": 250, "“": 418, "”": 418, "…": 690,
          "≥": 498, "≤": 498, "×": 498, "·": 252}
_WIDTHS = {False: dict(zip(_ASCII, _REGULAR)), True: dict(zip(_ASCII, _BOLD))}

PX_PER_PT = 96 / 72
CELL_PADDING_PX = 6  # the space a cell keeps on each side of its text, both sides together, with room to spare
LINE = 1.22  # line spacing of Calibri and Carlito, in ems


def text_px(text: str, size: float = 11, bold: bool = False) -> float:
    """The width of one line of ``text`` in pixels (96 per inch)."""
    return _thousandths(text, bold) / 1000 * size * PX_PER_PT


@functools.lru_cache(maxsize=16_384)
def _thousandths(text: str, bold: bool) -> int:
    """The width of ``text`` in thousandths of an em; the same words are measured again and again."""
    table = _WIDTHS[bold]
    return sum(table.get(ch, _OTHER.get(ch, 1000)) for ch in text)


def column_px(width: float) -> float:
    """The width in pixels of a column ``width`` characters wide, as Excel draws it."""
    return math.floor(width * 7 + 5)


def widest_column_px(width: float) -> float:
    """The width in pixels of a column as the program that draws it widest does: LibreOffice
    counts characters of Carlito's digit (7.44 pixels at 11 points), Excel of 7 pixels."""
    return max(column_px(width), (width + 5 / 7) * 0.507 * 11 * PX_PER_PT)


def width_for(text: str, size: float = 11, bold: bool = False) -> float:
    """The column width (in characters) that shows ``text`` on one line."""
    # A pixel to spare: XlsxWriter rounds a width to whole pixels.
    return math.ceil((text_px(text, size, bold) + CELL_PADDING_PX + 1 - 5) / 7 * 10) / 10


def longest_word_width(text: str, size: float = 11, bold: bool = False) -> float:
    """The column width that keeps every word of ``text`` whole when it wraps."""
    return max((width_for(word, size, bold) for word in text.split()), default=0)


def lines_in_px(text: str, px: float, size: float = 11, bold: bool = False) -> int:
    """How many lines ``text`` takes when wrapped in a cell (or merged cells) ``px`` pixels
    wide: words go on a line while they fit; a word too long for a line is cut."""
    room = px - CELL_PADDING_PX
    space = text_px(" ", size, bold)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            w = text_px(word, size, bold)
            if used and used + space + w <= room:
                used += space + w
                continue
            if used:
                lines += 1
            while w > room:  # a word longer than the line is broken across lines
                lines += 1
                w -= room
            used = w
    return lines


def line_height(size: float = 11) -> float:
    """The height in points of one line of text in the font ``size``."""
    return LINE * size


def row_height(lines: int, size: float = 11) -> float:
    """The row height in points that shows ``lines`` lines of text, with a little room."""
    return math.ceil(max(1, lines) * line_height(size) + 1.5)

