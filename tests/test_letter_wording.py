"""What a letter says: its date, the course, the partnership's details as a sentence needs them,
placeholders that look unfilled while a setting is left out, and the privacy notice's legal basis."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from click.testing import CliRunner
from docx import Document

from connect_share_learn import letter_context, letters, logo
from connect_share_learn.cli import cli
from connect_share_learn.cli.letters import letters_command
from connect_share_learn.pack import BuildContext, BuildOptions, pack_name
from connect_share_learn.spec.load import load_toolkit

LETTERS = ["follow_up_invitation", "follow_up_reminder", "invitation", "manager_letter", "thank_you"]
PLACEHOLDERS = ["[partnership name]", "[coordinator's name]", "[contact e-mail or telephone]", "[return address]"]
SETTINGS = """\
kind: settings
partnership: Anytown Safeguarding Children Partnership
coordinator: Sam Jones, training coordinator
contact: training@anytown.example
return_address: Training team, Anytown Council, 1 High Street, Anytown
dpo_contact: dpo@anytown.example
"""


def text_of(path) -> str:
    return "\n".join(p.text for p in Document(path).paragraphs)


def invoke(*args):
    return CliRunner().invoke(letters_command, [str(a) for a in args])


def build_letters(tmp_path, settings: str | None = None, courses=("foundation", "domestic_abuse"),
                  large_print: bool = False):
    config = None
    if settings is not None:
        config = tmp_path / "settings.yaml"
        config.write_text(settings, encoding="utf-8")
    toolkit = logo.resolve(load_toolkit(config=config), config)
    folder = tmp_path / "pack"
    letters.render(BuildContext(toolkit, BuildOptions(large_print=large_print), folder,
                                [toolkit.courses[c] for c in courses]))
    return folder / "letters"


@pytest.fixture(scope="module")
def default_pack(tmp_path_factory):
    return build_letters(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="module")
def our_pack(tmp_path_factory):
    return build_letters(tmp_path_factory.mktemp("ours"), SETTINGS)


# ---------------------------------------------------------------------------------------------
# The date


def test_every_letter_has_a_date_line_left_plainly_unfilled_in_the_pack(default_pack, tmp_path):
    for name in LETTERS + ["results_summary"]:
        assert "[date]" in text_of(default_pack / "foundation" / f"{name}.docx"), name
    # The pack stays byte-reproducible: nothing in it depends on the day it was built.
    again = build_letters(tmp_path)
    for path in (default_pack / "foundation").iterdir():
        assert path.read_bytes() == (again / "foundation" / path.name).read_bytes(), path.name


def test_a_merge_dates_its_letters_today_unless_told_another_date(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("name\nAnn Lee\n", encoding="utf-8")
    today = dt.date.today()
    assert invoke("invitation", "--participants", people, "--out", tmp_path / "a").exit_code == 0
    letter = text_of(tmp_path / "a" / "invitation" / "people" / "2-Ann-Lee.docx")
    assert f"\n{today.day} {today:%B %Y}\n" in letter and "[date]" not in letter
    for given in ("2026-03-14", "14/03/2026"):
        result = invoke("invitation", "--participants", people, "--out", tmp_path / given.replace("/", "-"),
                        "--date", given)
        assert result.exit_code == 0, result.output
        letter = text_of(tmp_path / given.replace("/", "-") / "invitation" / "people" / "2-Ann-Lee.docx")
        assert "\n14 March 2026\n" in letter, given
    result = invoke("invitation", "--participants", people, "--out", tmp_path / "b", "--date", "next Tuesday")
    assert result.exit_code == 2 and "--date" in result.output and "2026-03-14" in result.output


# ---------------------------------------------------------------------------------------------
# The course, with its article


@pytest.mark.parametrize("title, name", [
    ("Working Together foundation course", "Working Together foundation course"),
    ("Domestic abuse and child protection", "Domestic abuse and child protection course"),
    ("The Child's Voice course", "Child's Voice course"),
    ("The voice of the child", "voice of the child course"),
    ("Foundation courses", "Foundation courses"),
    ("Neglect workshops", "Neglect workshops"),
    ("Safeguarding Training", "Safeguarding Training"),
])
def test_a_course_title_reads_after_the(title, name):
    assert letter_context.course_name(title, letter_context.wording("en")) == name


def test_the_letters_name_the_course_with_its_article(default_pack):
    found = text_of(default_pack / "foundation" / "invitation.docx")
    assert "Thank you for booking a place on the Working Together foundation course." in found
    found = text_of(default_pack / "domestic_abuse" / "follow_up_invitation.docx")
    assert "since you attended the Domestic abuse and child protection course." in found
    for course in ("foundation", "domestic_abuse"):
        for path in (default_pack / course).glob("*.docx"):
            assert not re.search(r"(on|attended|in|learned on) (Working|Domestic)", text_of(path)), path


# ---------------------------------------------------------------------------------------------
# Settings left out are plainly unfilled, and the commands say which


def test_settings_left_out_show_as_plainly_unfilled_placeholders(default_pack):
    for name in LETTERS:
        found = text_of(default_pack / "foundation" / f"{name}.docx")
        for placeholder in PLACEHOLDERS:
            assert placeholder in found, (name, placeholder)
        assert "the training coordinator" not in found and "Your Local Safeguarding" not in found, name


def test_settings_given_replace_every_placeholder(our_pack):
    for path in (our_pack / "foundation").glob("*.docx"):
        found = text_of(path).replace("[date]", "")
        assert "[" not in found, (path.name, re.findall(r"\[[^]]*\]", found))
    found = text_of(our_pack / "foundation" / "thank_you.docx")
    assert "Sam Jones, training coordinator\nAnytown Safeguarding Children Partnership" in found


def test_csl_build_names_each_setting_left_out_and_the_file_to_write(tmp_path):
    def build(*args):
        return CliRunner().invoke(cli, ["build", "--course", "foundation", "--no-zip", "--force", "--out",
                                        str(tmp_path / "out"), *map(str, args)], catch_exceptions=False)

    result = build()
    assert result.exit_code == 0, result.stderr
    for name in ("partnership", "coordinator", "contact", "return_address", "dpo_contact"):
        assert name in result.stderr, name
    assert "--config" in result.stderr and "[coordinator's name]" in result.stderr
    assert "data protection officer" in result.stderr
    config = tmp_path / "anytown.yaml"
    config.write_text("kind: settings\npartnership: Anytown Safeguarding Children Partnership\n", encoding="utf-8")
    result = build("--config", config)
    assert result.exit_code == 0, result.stderr
    assert str(config) in result.stderr and "coordinator" in result.stderr
    assert "partnership (" not in result.stderr  # given, so not named
    config.write_text(SETTINGS, encoding="utf-8")
    result = build("--config", config)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr


def test_csl_letters_names_only_the_settings_its_letter_uses(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("name\nAnn Lee\n", encoding="utf-8")
    result = invoke("thank_you", "--participants", people, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "coordinator" in result.output and "--config" in result.output
    assert "dpo_contact" not in result.output  # the thank-you letter has no privacy notice
    result = invoke("information_sheet", "--participants", people, "--out", tmp_path / "out")
    assert "dpo_contact" in result.output


# ---------------------------------------------------------------------------------------------
# The privacy notice


def test_the_privacy_notice_gives_the_lawful_basis_and_whom_to_ask(default_pack, our_pack, tmp_path):
    found = text_of(default_pack / "foundation" / "information_sheet.docx")
    assert "public task" in found and "Article 6(1)(e)" in found and "UK GDPR" in found
    assert "data protection officer" in found and "[data protection officer's contact]" in found
    found = text_of(our_pack / "foundation" / "information_sheet.docx")
    assert "dpo@anytown.example" in found
    own = build_letters(tmp_path, SETTINGS + "lawful_basis: Our lawful basis is consent (UK GDPR Article 6(1)(a)).\n",
                        courses=("foundation",))
    found = text_of(own / "foundation" / "information_sheet.docx")
    assert "Our lawful basis is consent (UK GDPR Article 6(1)(a))." in found and "6(1)(e)" not in found


# ---------------------------------------------------------------------------------------------
# A setting's text inserted mid-sentence


@pytest.mark.parametrize("written, mid_sentence", [
    ("Training team, Anytown Council, 1 High Street", "training team, Anytown Council, 1 High Street"),
    ("The training team", "the training team"),
    ("The Anytown Partnership", "the Anytown Partnership"),
    ("Training Team, County Hall", "Training Team, County Hall"),          # a name: kept
    ("Anytown training team", "Anytown training team"),                    # starts with a place
    ("Learning and Development Team", "Learning and Development Team"),
    ("Three years after the course", "three years after the course"),
    ("NSPCC training team", "NSPCC training team"),
    ("training@anytown.example", "training@anytown.example"),
    ("[return address]", "[return address]"),
])
def test_a_settings_text_is_written_as_the_middle_of_a_sentence_needs(written, mid_sentence):
    assert letter_context.in_sentence(written, letter_context.wording("en")) == mid_sentence


@pytest.mark.parametrize("written, first", [
    ("the Anytown partnership", "The Anytown partnership"),
    ("Anytown Safeguarding Children Partnership", "Anytown Safeguarding Children Partnership"),
    ("training@anytown.example", "training@anytown.example"),
    ("[partnership name]", "[partnership name]"),
])
def test_a_settings_text_starting_a_sentence_has_a_capital(written, first):
    assert letter_context.sentence_start(written) == first


def test_the_letters_fit_the_settings_to_their_place_in_the_sentence(our_pack, tmp_path):
    found = text_of(our_pack / "foundation" / "follow_up_invitation.docx")
    assert "Return it to training team, Anytown Council, 1 High Street, Anytown." in found
    assert "\nTraining team, Anytown Council, 1 High Street, Anytown\n" in found  # the letterhead keeps its capital
    lower = build_letters(tmp_path, "kind: settings\npartnership: the Anytown partnership\n"
                                    "contact: The training team, training@anytown.example\n", courses=("foundation",))
    found = text_of(lower / "foundation" / "invitation.docx")
    assert "The Anytown partnership wants to know" in found
    assert "please contact the training team, training@anytown.example." in found


# ---------------------------------------------------------------------------------------------
# The closing stays with the letter


def test_the_closing_and_signature_keep_with_the_last_paragraph():
    for name in LETTERS:
        paragraphs = Document(letters.letters_dir() / f"{name}.docx").paragraphs
        closing = next(i for i, p in enumerate(paragraphs) if p.text.startswith("Yours sincerely"))
        last_words = [p for p in paragraphs[:closing] if p.text and not p.text.startswith("{%")][-1]
        for paragraph in (last_words, paragraphs[closing], paragraphs[closing + 1]):
            assert paragraph.paragraph_format.keep_with_next, (name, paragraph.text)


def pdf_pages(pdf) -> list[str]:
    count = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                          check=True).stdout).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout for n in range(1, count + 1)]


@pytest.mark.libreoffice
def test_no_large_print_letter_leaves_its_signature_alone_on_a_page(tmp_path):
    from connect_share_learn.documents import to_pdf

    folder = build_letters(tmp_path, SETTINGS, large_print=True)
    documents = [folder / c / f"{n}-large-print.docx" for c in ("foundation", "domestic_abuse") for n in LETTERS]
    for pdf in to_pdf(documents):
        pages = pdf_pages(pdf)
        last = pages[-1]
        assert "Yours sincerely" in last, pdf.name
        before = last.split("Yours sincerely")[0]
        assert len(before.split()) >= 8, f"{pdf.parent.name}/{pdf.name} page {len(pages)}: {last!r}"


# ---------------------------------------------------------------------------------------------
# The participant list's row of headings


def test_the_row_of_headings_can_be_given(tmp_path):
    people = tmp_path / "booking export.csv"
    people.write_text("Name,Working Together foundation course\nDate,14 March 2026\n\n"
                      "First name,Last name\nAnn,Lee\nBo,Li\n", encoding="utf-8")
    # The first row names a column "Name", so without the option it is taken for the headings.
    assert invoke("invitation", "--participants", people, "--out", tmp_path / "wrong").exit_code == 0
    assert (tmp_path / "wrong" / "invitation" / "booking-export" / "2-Date.docx").is_file()
    result = invoke("invitation", "--participants", people, "--out", tmp_path / "out", "--header-row", "4")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "invitation" / "booking-export"
    assert sorted(p.name for p in folder.glob("*.docx")) == ["5-Ann-Lee.docx", "6-Bo-Li.docx", "all-invitation.docx"]
    assert "Dear Bo Li," in text_of(folder / "6-Bo-Li.docx")
    result = invoke("invitation", "--participants", people, "--out", tmp_path / "out", "--header-row", "3")
    assert result.exit_code == 2 and "row 3" in result.output
    assert "--header-row" in invoke("--help").output


def test_a_manager_letter_reads_the_list_from_the_given_row_of_headings(tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("Name,March cohort\nName,Manager\nAnn Lee,Dr Ray Patel\n", encoding="utf-8")
    result = invoke("manager_letter", "--participants", people, "--out", tmp_path / "out", "--header-row", "2")
    assert result.exit_code == 0, result.output
    assert "Dear Dr Ray Patel," in text_of(tmp_path / "out" / "manager_letter" / "people" / "3-Ann-Lee.docx")
    assert "manager" not in result.output.replace("manager_letter", "")
