"""Text garbled by a wrong encoding: a warning, never a refusal (a heuristic can be wrong)."""

from __future__ import annotations

import re
from pathlib import Path

from connect_share_learn.errors import Problem
from connect_share_learn.tabular.table import RESAVE, Row, places

# Windows-1252 puts these signs and letters at bytes 0x80–0x9F, where Mac Roman and the DOS
# code pages put accented letters; the quote marks are left out, real text is full of them.
_CP1252_SIGNS = "€‚ƒ„…†‡ˆ‰‹•–—˜™›"
_CP1252_CAPITALS = "ŠŒŽŸ"
_OTHER_CODE_PAGE = re.compile(
    rf"(?<=[^\W\d_])[{_CP1252_SIGNS}](?=[^\W\d_])"  # a sign between two letters: "Nœ–ez", "G—mez"
    rf"|(?<=[a-zß-öø-ÿ])[{_CP1252_CAPITALS}]"  # a capital straight after a small letter: "JosŽ"
    rf"|(?<=[^\W\d_])[{_CP1252_CAPITALS}](?=[a-zß-öø-ÿ])"  # or inside a word before one: "MŸller"
)
# Each byte as Latin-1 shows it, and as Windows-1252 does where it has a sign of its own.
_SHOWN_AS = {chr(b): b for b in range(256)}
_SHOWN_AS |= {c: b for b in range(0x80, 0xA0) if (c := bytes([b]).decode("cp1252", "ignore"))}
_UTF8_TAIL = "".join(c for c, b in _SHOWN_AS.items() if 0x80 <= b < 0xC0)  # what UTF-8's continuation bytes become
_UTF8_MISREAD = re.compile(rf"[\u00c2-\u00f4][{re.escape(_UTF8_TAIL)}]")  # a lead byte's letter, then a tail's
# What UTF-8 text in names and comments holds: Latin, Greek, Cyrillic, Hebrew, Arabic and CJK
# letters, accents, punctuation and currency; not the IPA letters ("CAFÉ’S" would read "CAFɒS").
_TEXT_RANGES = ((0xA0, 0x24F), (0x300, 0x52F), (0x590, 0x6FF), (0x1E00, 0x20CF), (0x2100, 0x214F),
                (0x3000, 0x9FFF), (0xAC00, 0xD7AF))
_WORD = re.compile(r'[^ \t\r\n,;"()]+')


def misread_utf8(word: str) -> str | None:
    """What ``word`` was before its UTF-8 bytes were read as Windows-1252 or Latin-1 and saved
    again ("JosÃ©" was "José", "Å\x81ukasz" was "Łukasz"); None when it does not read so.

    It reads so only if every character maps back to a byte, those bytes are UTF-8, and what
    they spell is text people write: a real "José", "JOÃO" or "CAFÉ’S" does not.
    """
    if not _UTF8_MISREAD.search(word):
        return None
    try:
        was = bytes(_SHOWN_AS[c] for c in word).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return None
    if all(any(lo <= ord(c) <= hi for lo, hi in _TEXT_RANGES) for c in was if ord(c) > 0x7F):
        return was
    return None


def garbled(text: str, *, windows_1252: bool) -> list[tuple[str, str | None]]:
    """The words of ``text`` that look mis-encoded, each with what it was when that can be told.

    Any text can hold UTF-8 garbled before it reached us (see :func:`misread_utf8`). Text
    read as Windows-1252 may also have been saved in another code page, as Mac Roman reads
    "José Núñez" as "JosŽ Nœ–ez": a sign from bytes 0x80–0x9F (not a quote mark) between two
    letters, or one of the capitals Š Œ Ž Ÿ after a small letter or inside a word before one.
    That part misses some cases ("Jšrg") and may flag an unspaced dash ("yes—but").
    """
    out: list[tuple[str, str | None]] = []
    if not (_UTF8_MISREAD.search(text) or (windows_1252 and _OTHER_CODE_PAGE.search(text))):
        return out  # most text: one search, no word by word
    for m in _WORD.finditer(text):
        word = m.group()
        was = misread_utf8(word)
        if was is not None or (windows_1252 and _OTHER_CODE_PAGE.search(word)):
            out.append((word, was))
    return out


def garbled_warning(path: Path, what: str, rows: list[Row], windows_1252: bool) -> list[Problem]:
    """One warning naming the rows whose text looks garbled, the first word, and what to do."""
    found = [(row, words) for row in rows
             if (words := garbled("\n".join(c for c in row.cells if isinstance(c, str)), windows_1252=windows_1252))]
    if not found:
        return []
    first, [(word, was), *_] = found[0]
    where = places([row.place for row, _ in found])
    if was is not None:
        return [Problem(str(path), first.line, "", f"'{word}' looks like '{was}' garbled, as UTF-8 text read in "
                        f"another encoding is ({where})", "re-save it as UTF-8 from the original (export it again, "
                        "or in Excel: File › Save As › CSV UTF-8) and retry; as it is, the text is used garbled")]
    return [Problem(str(path), first.line, "", f"the {what} is not UTF-8, so it was read as Windows-1252, but "
                    f"'{word}' looks garbled, as text saved in another encoding does ({where})",
                    "if names look wrong, " + RESAVE)]
