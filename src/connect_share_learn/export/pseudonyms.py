"""Random pseudonyms for participant codes, stable within one export and irreversible.

Each export draws a fresh 256-bit key that is never written anywhere; a pseudonym is an
HMAC of the workbook and the normalised code under that key. So one person's time points
in one workbook share a pseudonym, the same code in two workbooks gives two pseudonyms
(they are different people), and two exports of the same data cannot be linked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Digits only after the prefix: a participant code has letters, so no pseudonym can contain one.
PREFIX = "P"
DIGITS = 16


class Pseudonyms:
    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._known: dict[tuple[str, str], str] = {}
        self._taken: set[str] = set()

    def of(self, workbook: str, code: str) -> str:
        """The pseudonym of ``code`` in ``workbook`` (any string naming the workbook uniquely)."""
        known = self._known.get((workbook, code))
        if known is not None:
            return known
        salt = 0
        while True:
            message = f"{workbook}\x1f{code}\x1f{salt}".encode()
            digest = hmac.new(self._key, message, hashlib.sha256).digest()
            name = PREFIX + str(int.from_bytes(digest[:8], "big") % 10**DIGITS).zfill(DIGITS)
            if name not in self._taken:  # two people never share one, however unlikely
                break
            salt += 1
        self._taken.add(name)
        self._known[(workbook, code)] = name
        return name
