"""Printed questionnaires ask exactly the codebook's items, in the entry sheet's order, in a printable layout."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from connect_share_learn.pack import BuildContext, BuildOptions
from connect_share_learn.questionnaires import BOX, items_asked, render, write_questionnaire
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.spec.model import text
from connect_share_learn.workbook.layout import layout_course

from helpers import once_per_run


@pytest.fixture(scope="module")
def built(toolkit, tmp_path_factory):
    """Every course's questionnaires, normal and large print, built once for the test run."""

    def build(folder):
        render(BuildContext(toolkit, BuildOptions(large_print=True), folder,
                            [toolkit.courses[c] for c in sorted(toolkit.courses)]))
        return folder

    return once_per_run(tmp_path_factory, "questionnaires", build)


def paragraphs(path) -> list[str]:
    """Every paragraph's text in reading order, inside tables (and nested tables) too."""
    body = Document(path).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def every_questionnaire(toolkit):
    for course in toolkit.courses.values():
        for tp in course.tp_ids:
            for suffix in ("", "-large-print"):
                yield course, tp, f"{tp}{suffix}.docx"


def test_every_item_appears_once_in_the_entry_sheets_order(toolkit, built):
    for course, tp, name in every_questionnaire(toolkit):
        found = paragraphs(built / "questionnaires" / course.id / name)
        rows = items_asked(toolkit, course, tp)
        positions = []
        for row in rows:
            hits = [i for i, p in enumerate(found) if p == row.wording]
            assert len(hits) == 1, f"{course.id}/{name}: '{row.wording}' appears {len(hits)} times"
            positions.append(hits[0])
        assert positions == sorted(positions), f"{course.id}/{name}: items out of the entry sheet's order"
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


# ---------------------------------------------------------------------------------------------
# Typing the answers in: every question numbered, every box with the code the workbook takes


def words(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def printed_numbers(path) -> list[tuple[str, str]]:
    """(number, id) from each question's "No." cell, in reading order."""
    found = []
    for cell in Document(path).element.body.iter(qn("w:tc")):
        lines = [words(p) for p in cell.findall(qn("w:p"))]
        if len(lines) >= 2 and lines[0].isdigit():
            found.append((lines[0], lines[1]))
    return found


def test_questions_are_numbered_as_the_entry_sheet_columns_with_the_column_id_beneath(toolkit, built):
    for course, tp, name in every_questionnaire(toolkit):
        columns = layout_course(toolkit, course, 10)[tp].inputs[1:]  # after the code
        found = printed_numbers(built / "questionnaires" / course.id / name)
        assert found == [(str(n), column) for n, column in enumerate(columns, start=1)], f"{course.id}/{name}"


def test_a_course_listing_its_scales_in_another_order_is_printed_in_the_entry_sheets_order(project, tmp_path):
    folder = project({"courses/foundation.yaml": """
        id: foundation
        title: Working Together foundation course
        description: Reaction first at the end.
        time_points:
          - {id: t1, scales: [self_efficacy, attitudes]}
          - {id: t2, scales: [reaction, attitudes, self_efficacy]}
        """})
    toolkit = load_toolkit(courses=folder / "courses")
    course = toolkit.courses["foundation"]
    path = tmp_path / "t2.docx"
    write_questionnaire(toolkit, course, "t2", path, BuildOptions().created)
    columns = layout_course(toolkit, course, 10)["t2"].inputs[1:]
    assert columns[0] == toolkit.scales["reaction"].items[0].id
    assert printed_numbers(path) == [(str(n), column) for n, column in enumerate(columns, start=1)]


def row_of(body, wording: str):
    """The table row holding the paragraph that reads ``wording`` (the outer row, when nested)."""
    paragraph = next(p for p in body.iter(qn("w:p")) if words(p) == wording)
    return next(paragraph.iterancestors(qn("w:tr")))


def codes_beside_boxes(document, row) -> list[tuple[str, float]]:
    """(text, size in points) of what is printed right after each box in ``row``."""
    sizes = {s.style_id: s.font.size.pt for s in document.styles if s.type == 2 and s.font.size}
    runs = [r for r in row.iter(qn("w:r")) if words(r)]
    found = []
    for box, after in zip(runs, runs[1:] + [None]):
        if words(box).strip() == BOX:
            style = after.find(f"{qn('w:rPr')}/{qn('w:rStyle')}") if after is not None else None
            size = sizes.get(style.get(qn("w:val"))) if style is not None else None
            found.append((words(after).strip() if after is not None else "", size or 99))
    return found


def test_every_box_has_its_answer_code_printed_small_beside_it(toolkit, built):
    """'Don't know' is 3 for attitudes but 9 for knowledge: the typist reads the code off the paper."""
    for course, tp, name in every_questionnaire(toolkit):
        document = Document(built / "questionnaires" / course.id / name)
        body_size = document.styles["Normal"].font.size.pt
        expected = {}
        if tp == course.tp_ids[0]:
            expected.update({text(q.text): [str(o.code) for o in q.options] for q in toolkit.profile.questions})
        for scale in toolkit.scales_at(course, tp):
            fmt = toolkit.format_of(scale)
            if fmt.kind == "choice" or (fmt.kind == "rating" and len(fmt.points) <= 7):
                expected.update({text(i.text): [str(a.code) for a in fmt.answers()] for i in scale.items})
        for wording, codes in expected.items():
            printed = codes_beside_boxes(document, row_of(document.element.body, wording))
            assert [code for code, _ in printed] == codes, f"{course.id}/{name}: {wording}"
            assert all(size < body_size for _, size in printed), f"{course.id}/{name}: codes are printed small"
    agreement = codes_beside_boxes(Document(built / "questionnaires" / "foundation" / "t1.docx"),
                                   row_of(Document(built / "questionnaires" / "foundation" / "t1.docx").element.body,
                                          text(toolkit.scales["attitudes"].items[0].text)))
    assert [c for c, _ in agreement] == ["1", "2", "3", "4", "5"]


def test_other_options_have_a_line_to_say_what(toolkit, built):
    others = [(q, o) for q in toolkit.profile.questions for o in q.options if text(o.label) == "Other"]
    assert len(others) == 2  # agency and role
    for name in ("t1.docx", "t1-large-print.docx"):
        body = Document(built / "questionnaires" / "foundation" / name).element.body
        for question, option in others:
            lines = list(row_of(body, text(question.text)).iter(qn("w:p")))
            at = next((i for i, p in enumerate(lines) if words(p).endswith("Other (please specify):")), None)
            assert at is not None and at + 1 < len(lines), f"{name}: {question.id}'s Other asks for nothing"
            line = lines[at + 1]
            assert words(line) == "" and line.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}") is not None, \
                f"{name}: no write-in line after {question.id}'s Other"


def keeps_with_next(paragraph, document) -> bool:
    direct = paragraph.find(f"{qn('w:pPr')}/{qn('w:keepNext')}")
    if direct is not None:
        return direct.get(qn("w:val"), "true") not in ("0", "false")
    style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    style_id = style.get(qn("w:val")) if style is not None else "Normal"
    return bool(next(s for s in document.styles if s.style_id == style_id).paragraph_format.keep_with_next)


def test_every_heading_and_its_instructions_are_kept_with_the_table_that_follows(toolkit, built):
    for course, tp, name in every_questionnaire(toolkit):
        document = Document(built / "questionnaires" / course.id / name)
        kept = None
        for element in document.element.body:
            if element.tag == qn("w:p"):
                style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
                if style is not None and style.get(qn("w:val")) == "Heading2":
                    kept = words(element)
                if kept is not None:
                    assert keeps_with_next(element, document), \
                        f"{course.id}/{name}: '{words(element)[:40]}' under '{kept}' may be left at a page's foot"
            elif element.tag == qn("w:tbl"):
                kept = None


def test_the_code_boxes_are_square_whatever_the_height_of_their_instructions(toolkit, built):
    code = toolkit.profile.code
    for name in ("t1.docx", "t1-large-print.docx"):
        body = Document(built / "questionnaires" / "foundation" / name).element.body
        for part in code.parts:
            row = row_of(body, " ".join(text(part.text).split()))
            boxes = [c for c in row.iter(qn("w:tc")) if c.find(f"{qn('w:tcPr')}/{qn('w:tcBorders')}") is not None]
            assert len(boxes) == part.length, f"{name}: {part.example}"
            for box in boxes:
                height = box.getparent().find(f"{qn('w:trPr')}/{qn('w:trHeight')}")
                assert height is not None and height.get(qn("w:hRule")) == "exact", f"{name}: the box stretches"
                width = int(box.find(f"{qn('w:tcPr')}/{qn('w:tcW')}").get(qn("w:w")))
                assert abs(int(height.get(qn("w:val"))) - width) <= 20, f"{name}: the box is not square"


def test_the_same_build_gives_the_same_bytes(toolkit, built, tmp_path):
    ctx = BuildContext(toolkit, BuildOptions(large_print=True), tmp_path, [toolkit.courses["foundation"]])
    render(ctx)
    for path in (tmp_path / "questionnaires" / "foundation").iterdir():
        assert path.read_bytes() == (built / "questionnaires" / "foundation" / path.name).read_bytes(), path.name
    with zipfile.ZipFile(tmp_path / "questionnaires" / "foundation" / "t1.docx") as archive:
        assert {i.date_time for i in archive.infolist()} == {BuildOptions().created.timetuple()[:6]}
        # The documents' date is the build's (2026-01-01, or SOURCE_DATE_EPOCH's when it is set).
        assert BuildOptions().created.strftime("%Y-%m-%dT%H:%M:%SZ") in archive.read("docProps/core.xml").decode()


def test_a_table_copied_from_an_earlier_questionnaire_is_the_table_built_afresh(toolkit, tmp_path, monkeypatch):
    """Tables are built once per process and copied; a copy gets its own question numbers."""
    from connect_share_learn import questionnaires

    course, created = toolkit.courses["foundation"], BuildOptions().created
    monkeypatch.setattr(questionnaires, "_BUILT", {})
    write_questionnaire(toolkit, course, "t2", tmp_path / "afresh.docx", created)
    monkeypatch.setattr(questionnaires, "_BUILT", {})
    built = []
    for name in ("_answers_beside", "_text_table"):
        original = getattr(questionnaires.QuestionnaireBuilder, name)
        monkeypatch.setattr(questionnaires.QuestionnaireBuilder, name,
                            lambda self, *args, _original=original: built.append(args) or _original(self, *args))
    write_questionnaire(toolkit, course, "t1", tmp_path / "first.docx", created)  # numbers from 5, after the profile
    before = len(built)
    write_questionnaire(toolkit, course, "t2", tmp_path / "copied.docx", created)  # numbers from 1
    assert len(built) - before == 2, "only the scales t1 does not ask are built again (reaction, comments)"
    assert (tmp_path / "copied.docx").read_bytes() == (tmp_path / "afresh.docx").read_bytes()


# ---------------------------------------------------------------------------------------------
# As printed: every questionnaire through LibreOffice, looked at page by page


@pytest.fixture(scope="module")
def printed(toolkit, built, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every questionnaire printed to PDF with one LibreOffice start per test run: (course, file) -> the PDF."""
    from connect_share_learn.documents import to_pdf

    cases = [(course.id, name) for course, _, name in every_questionnaire(toolkit)]
    return once_per_run(tmp_path_factory, "questionnaire-pdfs", lambda _: dict(zip(
        cases, to_pdf([built / "questionnaires" / course_id / name for course_id, name in cases]))))


def page_texts(pdf) -> list[str]:
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")[:-1]


def page_fills(pdf) -> list[float]:
    """How far down each page the questionnaire reaches, from 0 (empty) to about 1 (full), footer left out."""
    layout = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    top = 1.6 / 2.54 * 72  # the top margin, in points
    fills = []
    for page in re.findall(r"<page .*?</page>", layout, re.DOTALL):
        blocks = [(float(y0), float(y1), " ".join(re.findall(r">([^<]+)</word>", inner)))
                  for y0, y1, inner in re.findall(r'<block xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" '
                                                  r'yMax="([\d.]+)">(.*?)</block>', page, re.DOTALL)]
        footer = min(y0 for y0, _, words in blocks if re.search(r"Page \d+ of \d+$", words))
        body = [y1 for y0, y1, _ in blocks if y0 < footer]
        fills.append((max(body) - top) / (footer - top) if body else 0.0)
    return fills


@pytest.mark.slow
@pytest.mark.libreoffice
def test_questionnaires_print_on_a_sensible_number_of_pages(printed):
    for (course_id, name), pdf in printed.items():
        pages = len(page_texts(pdf))
        low, high = (4, 8) if "large-print" in name else (2, 4)
        assert low <= pages <= high, f"{course_id}/{name}: {pages} pages"


@pytest.mark.slow
@pytest.mark.libreoffice
def test_no_page_is_left_nearly_empty(printed):
    """A last page of three questions and the thank-you line wastes paper; so does a page cut short."""
    for (course_id, name), pdf in printed.items():
        fills = page_fills(pdf)
        assert all(fill > 0.6 for fill in fills[:-1]), f"{course_id}/{name}: pages filled {fills}"
        assert fills[-1] > 0.3, f"{course_id}/{name}: the last page holds only {fills[-1]:.0%}"


@pytest.mark.slow
@pytest.mark.libreoffice
def test_every_heading_is_printed_on_the_same_page_as_its_first_question(toolkit, printed):
    for course, tp, name in every_questionnaire(toolkit):
        sections = [("Your personal code", text(toolkit.profile.code.parts[0].text))]
        if tp == course.tp_ids[0]:
            sections.append((text(toolkit.profile.title), text(toolkit.profile.questions[0].text)))
        sections += [(text(s.title), text(s.items[0].text)) for s in toolkit.scales_at(course, tp)]
        pages = [" ".join(page.split()) for page in page_texts(printed[(course.id, name)])]
        for heading, first in sections:
            page = next(p for p in pages if heading in p)
            start = " ".join(first.split()[:4])
            assert start in page[page.index(heading):], f"{course.id}/{name}: '{heading}' is apart from '{start}…'"


@pytest.mark.slow
@pytest.mark.libreoffice
def test_every_printed_box_shows_its_code_beside_it(printed):
    for (course_id, name), pdf in printed.items():
        printed_text = "".join(page_texts(pdf))
        boxes = printed_text.count(BOX)
        assert boxes > 0 and len(re.findall(BOX + r" ?\d+", printed_text)) == boxes, f"{course_id}/{name}"
    knowledge = "".join(page_texts(printed[("foundation", "t1.docx")]))
    assert knowledge.count(BOX + "9") == 9, "each knowledge question's Don't know is 9"


@pytest.mark.slow
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


def test_a_stand_in_partnership_name_is_never_printed_as_the_partnerships(tmp_path, toolkit):
    """Without a settings file the questionnaires say "Your local safeguarding partnership" in
    prose and have no letterhead; document properties name the toolkit, not a made-up partnership."""
    import docx

    from connect_share_learn.pack import BuildOptions, build_pack

    pack = build_pack(toolkit, tmp_path / "out", BuildOptions(courses=("foundation",), zip=False)).folder
    stand_in = toolkit.settings.partnership
    for path in sorted((pack / "questionnaires").rglob("*.docx")):
        document = docx.Document(path)
        body = "\n".join(p.text for p in document.paragraphs)
        assert stand_in not in body, path
        assert document.paragraphs[0].text == "" and "Your local safeguarding partnership" in body
        assert document.core_properties.author == "connect-share-learn"
