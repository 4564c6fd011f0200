"""Byte-reproducible zips: the pack's zip and every .docx written by the toolkit."""

from __future__ import annotations

import datetime as dt
import zipfile
from typing import Iterable


def write_entries(archive: zipfile.ZipFile, entries: Iterable[tuple[str, bytes]], created: dt.datetime) -> None:
    """Add entries with a fixed timestamp and permissions, so equal inputs give equal bytes."""
    stamp = max(created, dt.datetime(1980, 1, 1)).timetuple()[:6]
    for name, data in entries:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)
