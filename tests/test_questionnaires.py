"""Printed questionnaires ask exactly the codebook's items, in its order, in a printable layout."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from connect_share_learn import office
from connect_share_learn.pack import BuildContext, BuildOptions
from connect_share_learn.questionnaires import items_asked, render
from connect_share_learn.spec.model import text

needs_libreoffice = pytest.mark.skipif(
    office.soffice() is None and os.environ.get("CSL_REQUIRE_LIBREOFFICE") != "1",
    reason="LibreOffice (soffice) is not installed; set CSL_REQUIRE_LIBREOFFICE=1 to make this a failure")


@pytest.fixture(scope="module")
def built(toolkit, tmp_path_factory):
    """Every course's questionnaires, normal and large print, built once for the module."""
    folder = tmp_path_factory.mktemp("pack")
    ctx = BuildContext(toolkit, BuildOptions(large_print=True), folder, [toolkit.courses[c] for c in sorted(toolkit.courses)])
    render(ctx)
    return folder


def paragraphs(path) -> list[str]:
    """Every paragraph's text in reading order, inside tables (and nested tables) too."""
    body = Document(path).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def every_questionnaire(toolkit):
    for course in toolkit.courses.values():
        for tp in course.tp_ids:
            for suffix in ("", "-large-print"):
                yield course, tp, f"{tp}{suffix}.docx"


def test_every_item_appears_once_in_codebook_order(toolkit, built):
    for course, tp, name in every_questionnaire(toolkit):
        found = paragraphs(built / "questionnaires" / course.id / name)
        rows = items_asked(toolkit, course, tp)
        positions = []
        for row in rows:
            hits = [i for i, p in enumerate(found) if p == row.wording]
            assert len(hits) == 1, f"{course.id}/{name}: '{row.wording}' appears {len(hits)} times"
            positions.append(hits[0])
        assert positions == sorted(positions), f"{course.id}/{name}: items out of codebook order"
        ids = [i for i, p in enumerate(found) if p in {r.item for r in rows}]
        assert len(ids) == len(rows), f"{course.id}/{name}: every item id is printed beside its item"


def test_profile_only_at_the_first_time_point_and_code_boxes_at_every_one(toolkit, built):
    profile_question = text(toolkit.profile.questions[0].text)
    code_part = text(toolkit.profile.code.parts[0].text)
    for course, tp, name in every_questionnaire(toolkit):
        found = paragraphs(built / "questionnaires" / course.id / name)
        assert (profile_question in found) == (tp == course.tp_ids[0]), f"{course.id}/{name}"
        assert code_part in found, f"{course.id}/{name}: the participant code instructions are missing"


def test_reaction_at_the_end_and_implementation_at_follow_up(toolkit, built):
    reaction = text(toolkit.scales["reaction"].items[0].text)
    implementation = text(toolkit.scales["implementation"].items[0].text)
    folder = built / "questionnaires" / "foundation"
    assert reaction in paragraphs(folder / "t2.docx") and reaction not in paragraphs(folder / "t1.docx")
    assert implementation in paragraphs(folder / "t3.docx") and implementation not in paragraphs(folder / "t2.docx")


def test_print_layout(toolkit, built):
    """A4, 11 pt (16 pt large print), real headings, rows that never split, repeating headers, page numbers."""
    for course, tp, name in every_questionnaire(toolkit):
        path = built / "questionnaires" / course.id / name
        document = Document(path)
        body_size = 16 if "large-print" in name else 11
        section = document.sections[0]
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
        assert document.styles["Normal"].font.size.pt == body_size
        assert {p.style.name for p in document.paragraphs} >= {"Heading 1", "Heading 2"}
        xml = document.element.body.xml
        sizes = [int(v) / 2 for v in re.findall(r'<w:sz w:val="(\d+)"', xml)]
        assert min(sizes) >= body_size, f"{name}: text smaller than {body_size} pt"
        rows = document.element.body.findall(".//" + qn("w:tr"))
        assert all(r.find(qn("w:trPr")) is not None and r.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None
                   for r in rows), f"{name}: a table row may split across pages"
        assert "<w:tblHeader/>" in xml
        footer = section.footer._element.xml
        assert " PAGE " in footer and " NUMPAGES " in footer
        assert "{{" not in xml and "{%" not in xml


def test_confidence_items_have_numbered_boxes_and_knowledge_items_true_false(built):
    found = paragraphs(built / "questionnaires" / "foundation" / "t1.docx")
    numbers = [str(n) for n in range(0, 101, 10)]
    assert any(found[i:i + 11] == numbers for i in range(len(found))), "a 0–100 row of boxes"
    assert {"True", "False", "Don't know"} <= set(found)


def test_the_same_build_gives_the_same_bytes(toolkit, built, tmp_path):
    ctx = BuildContext(toolkit, BuildOptions(large_print=True), tmp_path, [toolkit.courses["foundation"]])
    render(ctx)
    for path in (tmp_path / "questionnaires" / "foundation").iterdir():
        assert path.read_bytes() == (built / "questionnaires" / "foundation" / path.name).read_bytes(), path.name
    with zipfile.ZipFile(tmp_path / "questionnaires" / "foundation" / "t1.docx") as archive:
        assert {i.date_time for i in archive.infolist()} == {BuildOptions().created.timetuple()[:6]}
        assert "2026-01-01T00:00:00Z" in archive.read("docProps/core.xml").decode() or "SOURCE_DATE_EPOCH" in os.environ


@needs_libreoffice
def test_questionnaires_print_on_a_sensible_number_of_pages(toolkit, built, tmp_path):
    """One LibreOffice start converts every questionnaire; page counts stay in bounds."""
    from connect_share_learn.documents import to_pdf

    docs = [built / "questionnaires" / c.id / name for c, _, name in every_questionnaire(toolkit)]
    pdfs = to_pdf(docs)
    for pdf in pdfs:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        low, high = (4, 12) if "large-print" in pdf.name else (2, 6)
        assert low <= pages <= high, f"{pdf.parent.name}/{pdf.name}: {pages} pages"


def test_a_pack_with_questionnaires_and_letters_builds_byte_identically_twice(toolkit, tmp_path, monkeypatch):
    """Through the real pack builder, with these renderers registered as pack.py will register them."""
    from connect_share_learn import letters, pack, questionnaires

    registered = pack.renderers()
    monkeypatch.setattr(pack, "renderers", lambda: registered + [("questionnaires", questionnaires.render),
                                                                  ("letters", letters.render)])
    options = BuildOptions(courses=("foundation",), large_print=True)
    first = pack.build_pack(toolkit, tmp_path / "a", options)
    second = pack.build_pack(toolkit, tmp_path / "b", options)
    assert "questionnaires/foundation/t1-large-print.docx" in first.files
    assert "letters/foundation/invitation.docx" in first.files
    assert first.zip_path.read_bytes() == second.zip_path.read_bytes()
