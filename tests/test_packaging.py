"""The wheel carries the default library, so `pip install` then `csl build` needs no other file."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_embeds_the_defaults_and_finds_them(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("connect_share_learn-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for folder in ("scales", "courses", "benchmarks", "templates"):
        shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts}
        assert {f"connect_share_learn/defaults/{name}" for name in shipped} <= names, folder
    # From another folder, the installed package finds its own copy and validates it.
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            "from connect_share_learn.defaults import default_root;"
            "from connect_share_learn.spec.load import load_toolkit;"
            "print(default_root()); print(len(load_toolkit().courses))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "site")], cwd=tmp_path, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out[0] == str(tmp_path / "site" / "connect_share_learn" / "defaults")
    assert out[1] == "4"
