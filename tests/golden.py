"""The golden pack: a digest of every part of every file of the default pack, kept in
tests/golden_pack.json, and an account of what differs that a reader can act on.

After a change that is meant to change the pack's output, regenerate the digest and commit it
in the same commit as the change:

    PYTHONPATH=src .venv/bin/python tests/golden.py --update

What may vary is left out, as XlsxWriter's comparison tests leave out creation dates: the
toolkit's version (written as ``<version>``), and how the zip files in the pack are compressed
(a file's deflated bytes depend on the zlib at hand; what each member holds does not). So an
.xlsx or .docx file is digested member by member, with its list of members and their stored
dates and permissions, and the pack's MANIFEST.json without the sizes and checksums of those
files. The pack's own zip is left to tests/test_pack.py, which checks it holds the folder.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
GOLDEN = REPOSITORY / "tests" / "golden_pack.json"
UPDATE = "PYTHONPATH=src .venv/bin/python tests/golden.py --update"
ZIPPED = (".xlsx", ".docx")
TEXT = (".xml", ".rels", ".html", ".css", ".csv", ".json", ".txt", ".yaml", ".vml")
# Enough of a SHA-256 to tell any two versions of a part apart, and keep the file small.
DIGITS = 16


def build_default_pack(out: Path) -> Path:
    """The default pack as ``csl build`` makes it, with no SOURCE_DATE_EPOCH or templates laid over."""
    from connect_share_learn.defaults import TEMPLATES_VARIABLE
    from connect_share_learn.pack import build_pack
    from connect_share_learn.spec.load import load_toolkit

    saved = {name: os.environ.pop(name, None) for name in ("SOURCE_DATE_EPOCH", TEMPLATES_VARIABLE)}
    try:
        return build_pack(load_toolkit(), out).folder
    finally:
        os.environ.update({name: value for name, value in saved.items() if value is not None})


# ---------------------------------------------------------------------------------------------
# The digest


def digest(folder: Path, version: str | None = None) -> dict:
    """``{"files": {path: digest}}`` of every file of the pack ``folder`` made by toolkit ``version``
    (this one's by default): a file's digest is its hash, or for a zip ``{"zip": hash of its member
    list, "members": {member: hash}}``."""
    if version is None:
        from connect_share_learn import __version__ as version

    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name.endswith(ZIPPED):
            files[name] = _zip_digest(path, version)
        else:
            files[name] = _hash(_normalised(name, path.read_bytes(), version))
    return {"files": files}


def _zip_digest(path: Path, version: str) -> dict:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        listing = [[i.filename, list(i.date_time), i.external_attr, i.compress_type] for i in infos]
        members = {i.filename: _hash(_normalised(i.filename, archive.read(i), version)) for i in infos}
    return {"zip": _hash(json.dumps(listing).encode()), "members": members}


def _normalised(name: str, data: bytes, version: str) -> bytes:
    """``data`` with what is meant to vary left out (see the module's docstring)."""
    if name == "MANIFEST.json":
        record = json.loads(data)
        record["files"] = {n: ({} if n.endswith(ZIPPED) else entry) for n, entry in record["files"].items()}
        data = json.dumps(record, indent=2, sort_keys=True).encode()
    return data.replace(version.encode(), b"<version>") if name.endswith(TEXT) else data


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DIGITS]


# ---------------------------------------------------------------------------------------------
# What differs


def differences(expected: dict, found: dict) -> list[tuple[str, str | None, str]]:
    """(file, member or None, what) for every file or member that is not as expected."""
    out = []
    want, got = expected["files"], found["files"]
    for name in sorted(set(want) | set(got)):
        if name not in got:
            out.append((name, None, "missing"))
        elif name not in want:
            out.append((name, None, "new"))
        elif isinstance(want[name], dict) and isinstance(got[name], dict):
            members_want, members_got = want[name]["members"], got[name]["members"]
            for member in sorted(set(members_want) | set(members_got)):
                if member not in members_got:
                    out.append((name, member, "missing"))
                elif member not in members_want:
                    out.append((name, member, "new"))
                elif members_want[member] != members_got[member]:
                    out.append((name, member, "changed"))
            if want[name]["zip"] != got[name]["zip"] and not any(d[0] == name for d in out):
                out.append((name, None, "members stored in another order, or with other dates or permissions"))
        elif want[name] != got[name]:
            out.append((name, None, "changed"))
    return out


def report(found_folder: Path, expected: dict, shown: int = 5, lines: int = 20) -> str:
    """Every difference between the pack in ``found_folder`` and the golden digest, and for the
    first ``shown`` changed text parts their first differing lines, against the pack rebuilt
    from the commit that last changed the golden digest."""
    found = differences(expected, digest(found_folder))
    listed = "\n".join(f"  {name}{' › ' + member if member else ''}: {what}" for name, member, what in found)
    text = (f"The default pack is not the golden pack ({len(found)} parts differ):\n{listed}\n\n"
            f"If the change is intended, regenerate the digest with\n    {UPDATE}\n"
            "and commit tests/golden_pack.json in the same commit as the change.")
    changed = [(name, member) for name, member, what in found if what == "changed"
               and (member or name).endswith(TEXT)][:shown]
    if not changed:
        return text
    with tempfile.TemporaryDirectory(prefix="csl-golden-") as scratch:
        try:
            good, commit = _known_good_pack(Path(scratch))
        except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
            return f"{text}\n\n(The known-good pack could not be rebuilt to show the lines: {exc}.)"
        for name, member in changed:
            before, after = _part(good / name, member), _part(found_folder / name, member)
            diff = list(difflib.unified_diff(_lines(before), _lines(after), f"{commit[:10]}", "this tree",
                                             n=1, lineterm=""))[2:]
            where = f"{name}{' › ' + member if member else ''}"
            text += f"\n\n{where}, first differing lines:\n" + "\n".join(diff[:lines])
    return text


def _known_good_pack(scratch: Path) -> tuple[Path, str]:
    """The default pack built from the commit that last changed the golden digest."""
    commit = subprocess.run(["git", "-C", str(REPOSITORY), "log", "-1", "--format=%H", "--", str(GOLDEN)],
                            capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    if not commit:
        raise RuntimeError("no commit holds tests/golden_pack.json yet")
    tree = scratch / "tree"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(REPOSITORY), "archive", commit], capture_output=True, check=True,
                             timeout=120).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "CSL_TEMPLATES")}
    env["PYTHONPATH"] = str(tree / "src")
    subprocess.run([sys.executable, "-m", "connect_share_learn", "build", "--no-zip", "--out", str(scratch / "out")],
                   cwd=tree, env=env, capture_output=True, check=True, timeout=600)
    return next((scratch / "out").glob("connect-share-learn-*")), commit


def _part(path: Path, member: str | None) -> str:
    if member is None:
        return path.read_text("utf-8", errors="replace")
    with zipfile.ZipFile(path) as archive:
        return archive.read(member).decode("utf-8", errors="replace")


def _lines(text: str) -> list[str]:
    """XML one element a line (the generators write it on one line), other text as it is."""
    return re.sub(r">\s*<", ">\n<", text).splitlines()


# ---------------------------------------------------------------------------------------------
# Regenerating


def update() -> None:
    with tempfile.TemporaryDirectory(prefix="csl-golden-") as scratch:
        record = digest(build_default_pack(Path(scratch)))
    GOLDEN.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(REPOSITORY)}: {len(record['files'])} files; commit it with the change")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="regenerate tests/golden_pack.json from this tree")
    if parser.parse_args().update:
        update()
    else:
        parser.print_help()
