"""tools/guide_screenshots.py: the guide's pictures of the example workbook, one command, deterministic."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


REPOSITORY = Path(__file__).resolve().parent.parent
SCRIPT = REPOSITORY / "tools" / "guide_screenshots.py"


def load_script():
    spec = importlib.util.spec_from_file_location("guide_screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_shot_has_a_picture_in_the_templates_and_the_guide_shows_it():
    shots = load_script().SHOTS
    index = (REPOSITORY / "templates" / "guide" / "index.html.j2").read_text("utf-8")
    for shot in shots:
        assert (REPOSITORY / "templates" / "guide" / shot.name).is_file(), shot.name
        assert f'm.picture("{shot.name}"' in index, shot.name
        assert bool(shot.window) != bool(shot.charts), f"{shot.name}: a window or charts, not both"


def test_a_chart_is_framed_by_its_border_not_by_its_title_or_gridlines():
    script = load_script()
    page = np.full((400, 600, 3), 255, np.uint8)
    page[50, 100:401] = page[300, 100:401] = 217             # the chart's border, top and bottom
    page[50:301, 100] = page[50:301, 400] = 217              # left and right
    page[60:75, 200:300] = 0                                  # its title
    page[150, 110:390] = page[200, 110:390] = 200            # gridlines
    page[100:290, 130] = 0                                    # the vertical axis, below the title
    page[20:30, 0:50] = 0                                     # text outside the chart
    assert script.frame_around(page, (250, 67), "chart") == (100, 50, 400, 300)
    with pytest.raises(script.ShotFailed, match="no border"):
        script.frame_around(np.full((400, 600, 3), 255, np.uint8), (250, 67), "chart")


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_script_makes_the_same_pictures_twice(tmp_path):
    def run(out: Path) -> dict[str, bytes]:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY / "src"),
                                                                         os.environ.get("PYTHONPATH")])))
        done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True,
                              env=env, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return {p.name: p.read_bytes() for p in sorted(out.glob("*.png"))}

    one, two = run(tmp_path / "one"), run(tmp_path / "two")
    assert set(one) == {shot.name for shot in load_script().SHOTS}
    assert one == two
    for name, data in one.items():
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and 5_000 < len(data) < 200_000, name
