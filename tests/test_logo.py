"""The partnership's logo (settings.logo): on every letter, questionnaire and guide page."""

from __future__ import annotations

import re
import struct
import subprocess
import zipfile
import zlib

import pytest
from click.testing import CliRunner

from connect_share_learn.cli import cli
from connect_share_learn.pack import pack_name


def png(width: int = 300, height: int = 100) -> bytes:
    """A PNG of a blue band with a white stripe, as a partnership's logo might be."""
    rows = b""
    for y in range(height):
        white = height // 3 <= y < height // 3 + 8
        rows += b"\0" + (b"\xff\xff\xff" if white else b"\x1f\x3a\x5f") * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def partnership(tmp_path):
    """A settings file in its own folder naming ``images/logo.png`` beside it, and a list."""
    folder = tmp_path / "partnership"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "logo.png").write_bytes(png())
    settings = folder / "settings.yaml"
    settings.write_text("kind: settings\npartnership: Anyshire Safeguarding Children Partnership\n"
                        "contact: training@anyshire.example\nreturn_address: County Hall, Anyshire\n"
                        "logo: images/logo.png\n", encoding="utf-8")
    (tmp_path / "people.csv").write_text("name\nAnn Lee\nBo Li\n", encoding="utf-8")
    return settings


def csl(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def pictures(path) -> list[bytes]:
    """The images a .docx shows in its body, in order, by following each picture's relationship."""
    with zipfile.ZipFile(path) as archive:
        body = archive.read("word/document.xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
        targets = dict(re.findall(r'<Relationship Id="([^"]+)" Type="[^"]+/image" Target="([^"]+)"', rels))
        return [archive.read("word/" + targets[rid]) for rid in re.findall(r'<a:blip r:embed="([^"]+)"', body)]


def test_every_merged_letter_starts_with_the_logo(partnership, tmp_path):
    result = csl("letters", "invitation", "--participants", tmp_path / "people.csv", "--out", tmp_path / "out",
                 "--config", partnership)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "invitation" / "people"
    logo = png()
    for name in ("2-Ann-Lee.docx", "3-Bo-Li.docx"):
        assert pictures(folder / name) == [logo]
        with zipfile.ZipFile(folder / name) as archive:
            body = archive.read("word/document.xml").decode()
        first = re.search(r"<w:body><w:p>.*?</w:p>", body).group(0)
        assert "<w:drawing>" in first and 'descr="Anyshire Safeguarding Children Partnership logo"' in first
    combined = folder / "all-invitation.docx"
    assert pictures(combined) == [logo, logo]
    with zipfile.ZipFile(combined) as archive:
        ids = re.findall(r'<wp:docPr id="(\d+)"', archive.read("word/document.xml").decode())
    assert len(ids) == len(set(ids)) == 2, "Word rejects a document whose drawings share an id"


def test_the_pack_shows_the_logo_on_letters_questionnaires_and_guide_and_stays_reproducible(partnership, tmp_path):
    for out in ("a", "b"):
        result = csl("build", "--course", "foundation", "--no-zip", "--config", partnership, "--out", tmp_path / out)
        assert result.exit_code == 0, result.output
    pack = tmp_path / "a" / pack_name()
    assert pictures(pack / "letters" / "foundation" / "invitation.docx") == [png()]
    assert pictures(pack / "questionnaires" / "foundation" / "t1.docx") == [png()]
    assert (pack / "guide" / "logo.png").read_bytes() == png()
    for page in ("index.html", "guide/statistics.html", "guide/course-foundation.html"):
        html = (pack / page).read_text("utf-8")
        assert re.search(r'<img class="site-logo" src="(\.\./)?guide/logo\.png" alt="">', html), page
    for path in sorted(p for p in pack.rglob("*") if p.is_file()):
        twin = tmp_path / "b" / pack_name() / path.relative_to(pack)
        assert path.read_bytes() == twin.read_bytes(), path.relative_to(pack)


def test_without_a_logo_nothing_changes(tmp_path):
    assert csl("letters", "thank_you", "--participants", write_people(tmp_path), "--out", tmp_path / "out").exit_code == 0
    assert pictures(tmp_path / "out" / "thank_you" / "people" / "2-Ann-Lee.docx") == []


def write_people(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name\nAnn Lee\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("problem, expected", [
    ("missing", "there is no such file"),
    ("not an image", "not a PNG or JPEG image"),
    ("too large", "every letter carries a copy"),
])
def test_a_logo_that_cannot_be_used_is_one_error_naming_the_settings_file_and_field(partnership, tmp_path, problem,
                                                                                     expected):
    logo = partnership.parent / "images" / "logo.png"
    if problem == "missing":
        logo.unlink()
    elif problem == "not an image":
        logo.write_text("<svg/>", encoding="utf-8")
    else:
        logo.write_bytes(png() + b"\0" * 2_000_000)
    for args in (["letters", "invitation", "--participants", tmp_path / "people.csv", "--out", tmp_path / "out"],
                 ["build", "--course", "foundation", "--out", tmp_path / "build"]):
        result = csl(*args, "--config", partnership)
        assert result.exit_code == 2, result.output
        errors = [line for line in result.output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, result.output
        assert f"{partnership}:5: logo:" in errors[0] and "'images/logo.png'" in errors[0] and expected in errors[0]
        assert not (tmp_path / "out").exists() and not (tmp_path / "build").exists()


def test_a_logo_that_is_not_png_or_jpeg_is_refused_when_the_settings_are_read(tmp_path):
    settings = tmp_path / "settings.yaml"
    settings.write_text("kind: settings\nlogo: logo.gif\n", encoding="utf-8")
    result = csl("letters", "invitation", "--participants", write_people(tmp_path), "--config", settings)
    assert result.exit_code == 2
    assert f"{settings}:2: logo:" in result.output and "PNG or JPEG" in result.output


@pytest.mark.libreoffice
def test_a_letter_with_the_logo_prints_it_on_one_page(partnership, tmp_path):
    result = csl("letters", "invitation", "--participants", tmp_path / "people.csv", "--out", tmp_path / "out",
                 "--config", partnership, "--pdf")
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "out" / "invitation" / "people" / "2-Ann-Lee.pdf"
    listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    images = [line.split() for line in listed.splitlines()[2:]]
    assert [(row[0], row[3], row[4]) for row in images] == [("1", "300", "100")]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", info)
