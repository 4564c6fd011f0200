"""Letters: the pack's "Dear colleague" copies and the `csl letters` mail merge."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import zipfile

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn

from connect_share_learn import letters, office
from connect_share_learn.cli.letters import letters_command
from connect_share_learn.pack import BuildContext, BuildOptions

LETTERS = ["follow_up_invitation", "follow_up_reminder", "information_sheet", "invitation", "manager_letter",
           "results_summary", "thank_you"]
# Names that break naive merges: XML specials, quotes, accents, Welsh letters, other scripts.
HARD_NAMES = [
    ("Ann", "Lee & <Partners>"),
    ('Siân "Sunny"', "O'Brien-Ŵyn"),
    ("Ŷvonne", "Ap Rhys"),
    ("李", "小龍"),
    ("Zoë", "Ørsted > Ünal"),
    ("Александра", "Смирнова"),
    ("محمد", "علي"),
]


def texts(path) -> list[str]:
    body = Document(path).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def names_in(folder) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def invoke(*args):
    return CliRunner().invoke(letters_command, [str(a) for a in args])


def write_csv(path, rows, encoding="utf-8-sig"):
    path.write_bytes("\r\n".join(",".join(cell for cell in row) for row in rows).encode(encoding) + b"\r\n")
    return path


def quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def pack(toolkit, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    courses = [toolkit.courses[c] for c in sorted(toolkit.courses)]
    letters.render(BuildContext(toolkit, BuildOptions(), folder, courses))
    return folder


# ---------------------------------------------------------------------------------------------
# The pack


def test_the_pack_holds_every_letter_for_every_course_filled_in(toolkit, pack):
    for course in toolkit.courses.values():
        folder = pack / "letters" / course.id
        assert sorted(p.stem for p in folder.glob("*.docx")) == LETTERS
        for path in folder.glob("*.docx"):
            found = "\n".join(texts(path))
            assert "{{" not in found and "{%" not in found and "}}" not in found, path
            assert "[partnership name]" in found, path  # the default settings give no partnership
            if path.stem not in ("information_sheet", "results_summary"):
                assert "Dear colleague," in found, path
    found = texts(pack / "letters" / "foundation" / "follow_up_invitation.docx")
    weeks = toolkit.follow_up_weeks(toolkit.courses["foundation"])
    assert any(f"about {weeks} weeks since you attended" in p for p in found)
    assert any(p == "For example, these answers would give the code US07L." for p in found)


def test_the_invitation_asks_double_baseline_courses_to_answer_at_registration(pack):
    double = "\n".join(texts(pack / "letters" / "domestic_abuse" / "invitation.docx"))
    single = "\n".join(texts(pack / "letters" / "foundation" / "invitation.docx"))
    assert "The first questionnaire is enclosed." in double and "a few weeks before the course" in double
    assert "The first questionnaire is enclosed." not in single
    assert "at the start of the course" in single


def test_the_privacy_notice_matches_how_the_data_are_kept(toolkit, pack):
    found = "\n".join(texts(pack / "letters" / "foundation" / "information_sheet.docx"))
    assert f"for {toolkit.settings.retention}" in found
    assert "No names are kept with your answers" in found
    assert "personal information under UK data protection law" in found  # pseudonymised is still personal
    assert "fewer than 5 people" in found
    assert "please contact [contact e-mail or telephone]." in found


def test_the_letters_say_names_are_not_asked_rather_than_anonymous(pack):
    for path in (pack / "letters" / "domestic_abuse").glob("*.docx"):
        assert "anonymous" not in "\n".join(texts(path)).lower(), path.name
    invitation = "\n".join(texts(pack / "letters" / "foundation" / "invitation.docx"))
    assert "We do not ask for your name" in invitation and "linked only by this code" in invitation
    manager = "\n".join(texts(pack / "letters" / "domestic_abuse" / "manager_letter.docx"))
    assert "This conversation is optional." in manager
    assert "the questionnaire is for the participant alone" in manager
    assert "talk it through together" not in manager


def test_letters_are_reproducible(toolkit, pack, tmp_path):
    letters.render(BuildContext(toolkit, BuildOptions(), tmp_path, [toolkit.courses["foundation"]]))
    for path in (tmp_path / "letters" / "foundation").iterdir():
        assert path.read_bytes() == (pack / "letters" / "foundation" / path.name).read_bytes(), path.name


def test_templates_match_their_wording_source(tmp_path):
    """The .docx templates are what make_templates.py makes from source/*.md (no drift)."""
    maker_path = letters.letters_dir() / "make_templates.py"
    spec = importlib.util.spec_from_file_location("make_templates", maker_path)
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    for name in maker.TITLES:
        made = maker.make(name, tmp_path)
        assert made.read_bytes() == (letters.letters_dir() / f"{name}.docx").read_bytes(), \
            f"{name}.docx differs from source/{name}.md: run templates/letters/make_templates.py"


# ---------------------------------------------------------------------------------------------
# The mail merge


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "xlsx"])
def test_merged_names_come_out_exactly_as_written(tmp_path, encoding):
    rows = [["First name", "Last name"]] + [[quote(f), quote(last)] for f, last in HARD_NAMES]
    if encoding == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        workbook.active.append(["first_name", "last_name"])
        for first, last in HARD_NAMES:
            workbook.active.append([first, last])
        source = tmp_path / "people.xlsx"
        workbook.save(source)
    else:
        source = write_csv(tmp_path / "people.csv", rows, encoding)
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "invitation" / source.stem
    files = sorted(p for p in folder.glob("*.docx") if not p.name.startswith("all-"))
    assert len(files) == len(HARD_NAMES)
    for path, (first, last) in zip(files, HARD_NAMES):
        assert f"Dear {first} {last}," in texts(path), path.name
        assert path.parent == folder
    combined = texts(folder / "all-invitation.docx")
    for first, last in HARD_NAMES:
        assert combined.count(f"Dear {first} {last},") == 1
    with zipfile.ZipFile(folder / "all-invitation.docx") as archive:
        assert archive.read("word/document.xml").count(b'w:type="page"') == len(HARD_NAMES) - 1


def test_windows_1252_csv_from_excel(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["Name"], ["Zoë Brontë"], ["José O'Neill"]], encoding="cp1252")
    result = invoke("thank_you", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    combined = texts(tmp_path / "out" / "thank_you" / "people" / "all-thank_you.docx")
    assert "Dear Zoë Brontë," in combined and "Dear José O'Neill," in combined


def test_missing_columns_are_all_named_and_nothing_is_written(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["first_name", "email"], ["Ann", "a@example.org"]])
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "people.csv" in result.output and "'last_name'" in result.output and "nothing was written" in result.output
    assert not (tmp_path / "out" / "invitation").exists()
    source = write_csv(tmp_path / "other.csv", [["email"], ["a@example.org"]])
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "'name' (or 'first_name' and 'last_name')" in result.output


def test_blank_and_repeated_rows_are_reported_and_skipped(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["name", "agency"], ["Ann Lee", "Police"], [",", ""],
                                                 ["Ann Lee", "Police"], ["", "Housing"], ["Bo Li", "Police"]])
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "row 3 is blank" in result.output
    assert "row 4 repeats row 2 (Ann Lee)" in result.output
    assert "row 5 has no name" in result.output
    assert len(list((tmp_path / "out" / "invitation" / "people").glob("*.docx"))) == 3  # two letters and the combined one


def test_file_names_never_leave_the_output_folder(tmp_path):
    names = ["../../etc/passwd", "..", "C:\\Windows\\system32", "/abs/path", "CON", "a" * 300, "<>:\"|?*"]
    source = write_csv(tmp_path / "people.csv", [["name"]] + [[quote(n)] for n in names])
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "invitation" / "people"
    written = sorted(p.name for p in folder.iterdir())
    assert len(written) == len(names) + 2  # the letters, the combined one and MANIFEST.json
    assert all(os.sep not in n and len(n) < 80 and not n.startswith(".") for n in written), written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "people.csv"]
    combined = texts(folder / "all-invitation.docx")
    assert all(f"Dear {n}," in combined for n in names)


def test_the_manager_letter_names_the_participant_and_greets_the_manager(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["name", "manager_name"], ["Ann Lee", "Dr Ray Patel"], ["Bo Li", ""]])
    result = invoke("manager_letter", "--participants", source, "--out", tmp_path / "out", "--course", "domestic_abuse")
    assert result.exit_code == 0, result.output
    found = texts(tmp_path / "out" / "manager_letter" / "people" / "all-manager_letter.docx")
    assert "Dear Dr Ray Patel," in found and "Dear colleague," in found
    assert any("because Ann Lee attended the Domestic abuse and child protection course," in p for p in found)


def test_a_manager_letter_from_a_list_without_managers_warns(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann Lee"]])
    result = invoke("manager_letter", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "has no 'manager_name' column" in result.output and "normally addressed" in result.output
    some = write_csv(tmp_path / "some.csv", [["name", "Manager"], ["Ann Lee", "Dr Ray Patel"], ["Bo Li", ""]])
    result = invoke("manager_letter", "--participants", some, "--out", tmp_path / "out")
    assert "row 3 has no manager's name" in result.output and "no 'manager_name' column" not in result.output
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out")
    assert "manager_name" not in result.output


def test_default_settings_warn_that_the_letters_carry_placeholders(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann Lee"]])
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "the letters print placeholders" in result.output and "--config" in result.output
    assert "Wrote 1 letter," in result.output
    settings = tmp_path / "settings.yaml"
    settings.write_text("kind: settings\npartnership: Anyshire Safeguarding Children Partnership\n"
                        "coordinator: Sam Jones\ncontact: training@anyshire.example\n"
                        "return_address: County Hall, Anyshire\n", "utf-8")
    two = write_csv(tmp_path / "two.csv", [["name"], ["Ann Lee"], ["Bo Li"]])
    result = invoke("invitation", "--participants", two, "--out", tmp_path / "out", "--config", settings)
    assert result.exit_code == 0, result.output
    assert "placeholder" not in result.output and "Wrote 2 letters," in result.output


def test_a_rerun_replaces_the_letters_and_a_failed_one_keeps_them(tmp_path):
    good = write_csv(tmp_path / "good.csv", [["name"], ["Ann Lee"]])
    assert invoke("invitation", "--participants", good, "--out", tmp_path / "out").exit_code == 0
    bad = write_csv(tmp_path / "bad.csv", [["email"], ["x@y"]])
    assert invoke("invitation", "--participants", bad, "--out", tmp_path / "out").exit_code == 2
    assert names_in(tmp_path / "out") == ["invitation", "invitation/good", "invitation/good/2-Ann-Lee.docx",
                                          "invitation/good/MANIFEST.json", "invitation/good/all-invitation.docx"]


def test_the_list_is_never_copied(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["name", "email"], ["Ann Lee", "secret-address@example.org"]])
    assert invoke("invitation", "--participants", source, "--out", tmp_path / "out").exit_code == 0
    for path in (tmp_path / "out").rglob("*.docx"):
        if path.is_file():
            with zipfile.ZipFile(path) as archive:
                assert not any(b"secret-address" in archive.read(n) for n in archive.namelist())


def test_merges_are_reproducible(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann Lee"], ["Bo Li"]])
    # Dated, so that a run across midnight gives the same letters.
    invoke("thank_you", "--participants", source, "--out", tmp_path / "a", "--date", "2026-03-14")
    invoke("thank_you", "--participants", source, "--out", tmp_path / "b", "--date", "2026-03-14")
    for path in (tmp_path / "a" / "thank_you" / "people").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / "thank_you" / "people" / path.name).read_bytes()


def test_large_print_letters_are_16_point_or_more(toolkit, tmp_path):
    letters.render(BuildContext(toolkit, BuildOptions(large_print=True), tmp_path, [toolkit.courses["foundation"]]))
    folder = tmp_path / "letters" / "foundation"
    assert len(list(folder.glob("*-large-print.docx"))) == len(LETTERS)
    for path in folder.glob("*-large-print.docx"):
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("word/styles.xml").decode() + archive.read("word/document.xml").decode()
        sizes = [int(v) / 2 for v in re.findall(r'<w:sz(?:Cs)? w:val="(\d+)"', xml)]
        assert sizes and min(sizes) >= 16, path.name
        assert Document(path).styles["Normal"].font.size.pt == 16
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann Lee"]])
    result = invoke("thank_you", "--participants", source, "--out", tmp_path / "out", "--large-print")
    assert result.exit_code == 0, result.output
    merged = tmp_path / "out" / "thank_you-large-print" / "people" / "2-Ann-Lee.docx"
    assert Document(merged).styles["Normal"].font.size.pt == 16 and "Dear Ann Lee," in texts(merged)


def test_pdf_without_libreoffice_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann Lee"]])
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out", "--pdf")
    assert result.exit_code == 2 and "install LibreOffice" in result.output
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# A letters folder holds the user's files too: only what csl letters wrote is ever replaced


def test_letters_go_in_a_folder_named_after_the_list_and_a_second_cohort_goes_beside_the_first(tmp_path):
    march = write_csv(tmp_path / "March delegates.csv", [["name"], ["Ann Lee"], ["Bo Li"]])
    april = write_csv(tmp_path / "april.csv", [["name"], ["Cy Young"]])
    assert invoke("invitation", "--participants", march, "--out", tmp_path / "out").exit_code == 0
    result = invoke("invitation", "--participants", april, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "out/invitation/april" in result.output
    assert names_in(tmp_path / "out" / "invitation") == [
        "March-delegates", "March-delegates/2-Ann-Lee.docx", "March-delegates/3-Bo-Li.docx",
        "March-delegates/MANIFEST.json", "March-delegates/all-invitation.docx",
        "april", "april/2-Cy-Young.docx", "april/MANIFEST.json", "april/all-invitation.docx"]
    assert "Dear Ann Lee," in texts(tmp_path / "out" / "invitation" / "March-delegates" / "2-Ann-Lee.docx")


def test_a_rerun_of_the_same_merge_replaces_its_own_letters_and_changes_nothing(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann Lee"], ["Bo Li"]])
    assert invoke("thank_you", "--participants", source, "--out", tmp_path / "out").exit_code == 0
    folder = tmp_path / "out" / "thank_you" / "people"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = invoke("thank_you", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_hand_edited_letter_and_the_users_own_files_are_kept(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann Lee"], ["Bo Li"]])
    assert invoke("invitation", "--participants", source, "--out", tmp_path / "out").exit_code == 0
    folder = tmp_path / "out" / "invitation" / "people"
    edited = folder / "3-Bo-Li.docx"
    document = Document(edited)
    document.add_paragraph("PS: see you on Tuesday.")
    document.save(edited)
    mine = edited.read_bytes()
    (folder / "notes.txt").write_text("posted 3 March", encoding="utf-8")
    (folder / "sent").mkdir()
    (folder / "sent" / "2-Ann-Lee.docx").write_bytes(b"my copy")
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "3-Bo-Li.docx" in result.output and "changed since" in result.output and "--force" in result.output
    assert "2-Ann-Lee.docx" not in result.output
    assert edited.read_bytes() == mine
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out", "--force")
    assert result.exit_code == 0, result.output
    assert "PS: see you on Tuesday." not in texts(edited) and "Dear Bo Li," in texts(edited)
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "posted 3 March"
    assert (folder / "sent" / "2-Ann-Lee.docx").read_bytes() == b"my copy"


def test_a_file_of_the_users_where_a_letter_would_go_is_kept_unless_forced(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann Lee"]])
    folder = tmp_path / "out" / "invitation" / "people"
    folder.mkdir(parents=True)
    (folder / "2-Ann-Lee.docx").write_bytes(b"a letter I wrote myself")
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "2-Ann-Lee.docx" in result.output and "not written by csl letters" in result.output
    assert names_in(folder) == ["2-Ann-Lee.docx"]
    assert (folder / "2-Ann-Lee.docx").read_bytes() == b"a letter I wrote myself"
    assert invoke("invitation", "--participants", source, "--out", tmp_path / "out", "--force").exit_code == 0
    assert "Dear Ann Lee," in texts(folder / "2-Ann-Lee.docx")


def test_another_list_of_the_same_name_is_refused_and_force_replaces_only_the_old_letters(tmp_path):
    source = write_csv(tmp_path / "delegates.csv", [["name"], ["Ann Lee"], ["Bo Li"]])
    assert invoke("invitation", "--participants", source, "--out", tmp_path / "out").exit_code == 0
    folder = tmp_path / "out" / "invitation" / "delegates"
    edited = folder / "3-Bo-Li.docx"
    edited.write_bytes(edited.read_bytes() + b"\0")
    (folder / "notes.txt").write_text("March cohort", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    write_csv(source, [["name"], ["Cy Young"]])  # next month's booking export, same file name
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "another participant list" in result.output and "--out" in result.output and "--force" in result.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out", "--force")
    assert result.exit_code == 0, result.output
    assert "3-Bo-Li.docx" in result.output  # kept, and said so: it was changed, and is not replaced
    assert names_in(folder) == ["2-Cy-Young.docx", "3-Bo-Li.docx", "MANIFEST.json", "all-invitation.docx",
                                "notes.txt"]
    assert edited.read_bytes() == before["3-Bo-Li.docx"]
    assert texts(folder / "all-invitation.docx").count("Dear Cy Young,") == 1
    assert "Dear Ann Lee," not in texts(folder / "all-invitation.docx")


def test_the_same_list_for_another_course_is_refused(tmp_path):
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann Lee"]])
    assert invoke("invitation", "--participants", source, "--out", tmp_path / "out").exit_code == 0
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out", "--course", "domestic_abuse")
    assert result.exit_code == 2 and "another" in result.output
    assert "Working Together" in "\n".join(texts(tmp_path / "out" / "invitation" / "people" / "2-Ann-Lee.docx"))


# ---------------------------------------------------------------------------------------------
# PDFs: LibreOffice stops after about 245 documents; the letters never depend on it


def test_pdfs_of_every_letter_are_made_though_each_libreoffice_stops_early(fake_soffice, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_LIMIT", "3")
    source = write_csv(tmp_path / "people.csv", [["name"]] + [[f"Person {i}"] for i in range(10)])
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out", "--pdf")
    assert result.exit_code == 0, result.output
    assert "Wrote 10 letters, the combined all-invitation.docx and 11 PDFs" in result.output
    folder = tmp_path / "out" / "invitation" / "people"
    docx = sorted(p.stem for p in folder.glob("*.docx"))
    assert sorted(p.stem for p in folder.glob("*.pdf")) == docx and len(docx) == 11
    assert [len(start) for start in fake_soffice()] == [11, 8, 5, 2]  # what each start left goes to the next


def test_when_pdfs_fail_the_letters_are_kept_and_the_message_says_how_to_make_them(fake_soffice, tmp_path,
                                                                                  monkeypatch):
    monkeypatch.setenv("FAKE_BROKEN", "3-Bo-Li")
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann Lee"], ["Bo Li"], ["Cy Young"]])
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out", "--pdf")
    assert result.exit_code == 1
    assert "Wrote 3 letters" in result.output
    assert "did not make 1 of the 4 PDFs (3-Bo-Li.pdf)" in result.output and "every .docx letter is written" in result.output
    assert "--pdf' again" in result.output
    folder = tmp_path / "out" / "invitation" / "people"
    assert names_in(folder) == ["2-Ann-Lee.docx", "2-Ann-Lee.pdf", "3-Bo-Li.docx", "4-Cy-Young.docx",
                                "4-Cy-Young.pdf", "MANIFEST.json", "all-invitation.docx", "all-invitation.pdf"]
    # Run again as the message says: only the missing PDF is made, and nothing is refused.
    monkeypatch.delenv("FAKE_BROKEN")
    starts = len(fake_soffice())
    result = invoke("invitation", "--participants", source, "--out", tmp_path / "out", "--pdf")
    assert result.exit_code == 0, result.output
    assert fake_soffice()[starts:] == [["3-Bo-Li.docx"]]
    assert (folder / "3-Bo-Li.pdf").is_file()


# ---------------------------------------------------------------------------------------------
# Templates fail loudly


def make_template(folder, name, paragraphs):
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    folder.mkdir(exist_ok=True)
    document.save(folder / f"{name}.docx")


def test_template_errors_name_the_file_and_the_place(tmp_path, monkeypatch):
    folder = tmp_path / "letters"
    make_template(folder, "broken", ["Dear {{ recipient }},", "Fine.", "Bad {% if follow_up %} never closed"])
    make_template(folder, "extra", ["Dear {{ recipient }}, your course is on {{ course_date }}."])
    monkeypatch.setattr(letters, "letters_dir", lambda: folder)
    source = write_csv(tmp_path / "people.csv", [["name"], ["Ann & <Lee>"]])
    result = invoke("broken", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "broken.docx" in result.output and "paragraph 3" in result.output, result.output
    # A variable the settings do not provide must come from the list: checked before writing.
    result = invoke("extra", "--participants", source, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "'course_date'" in result.output and "people.csv" in result.output
    assert not (tmp_path / "out").exists()
    with_date = write_csv(tmp_path / "dated.csv", [["name", "Course date"], [quote("Ann & <Lee>"), "3 March"]])
    result = invoke("extra", "--participants", with_date, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Dear Ann & <Lee>, your course is on 3 March." in texts(tmp_path / "out" / "extra" / "dated" / "2-Ann-Lee.docx")
    result = invoke("--check")
    assert result.exit_code == 2
    assert re.search(r"course_date\s+NOT PROVIDED", result.output) and "paragraph 3" in result.output


def test_check_lists_every_template_and_its_variables():
    result = invoke("--check")
    assert result.exit_code == 0, result.output
    for name in LETTERS:
        assert f"{name}.docx" in result.output
    assert re.search(r"partnership\s+settings", result.output)
    assert "NOT PROVIDED" not in result.output


def test_usage_errors(tmp_path):
    result = invoke("nonsense", "--participants", tmp_path / "x.csv")
    assert result.exit_code == 2 and "there is no letter 'nonsense'" in result.output and "invitation" in result.output
    assert invoke("invitation").exit_code == 2
    result = invoke("invitation", "--participants", tmp_path / "x.csv", "--course", "nope")
    assert result.exit_code == 2 and "foundation" in result.output
    help_text = invoke("--help").output
    assert "Example:" in help_text and "--participants" in help_text and "--pdf" in help_text


# ---------------------------------------------------------------------------------------------
# Printed


@pytest.mark.libreoffice
def test_letters_print_on_few_pages_and_the_combined_file_has_one_letter_per_page(toolkit, pack, tmp_path):
    from connect_share_learn.documents import to_pdf

    source = write_csv(tmp_path / "people.csv", [["name"]] + [[quote(f"{f} {last}")] for f, last in HARD_NAMES])
    assert invoke("invitation", "--participants", source, "--out", tmp_path / "out").exit_code == 0
    combined = tmp_path / "out" / "invitation" / "people" / "all-invitation.docx"
    docs = [pack / "letters" / c / f"{n}.docx" for c in ("foundation", "domestic_abuse") for n in LETTERS]
    pdfs = to_pdf(docs + [combined])

    def pages(pdf):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"Pages:\s+(\d+)", info).group(1))

    for pdf in pdfs[:-1]:
        limit = 1 if pdf.stem in ("results_summary", "invitation", "thank_you", "follow_up_reminder",
                                  "follow_up_invitation", "manager_letter") else 2
        assert 1 <= pages(pdf) <= limit, f"{pdf.parent.name}/{pdf.name}: {pages(pdf)} pages"
    assert pages(pdfs[-1]) == len(HARD_NAMES)
