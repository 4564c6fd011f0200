"""The letters in any language (issue 16): each text of templates/letters/source/*.md is a
message, the pseudo-language ``qps`` proves that none escapes translation in the pack's letters
or the mail merge's, and a bilingual edition prints the whole letter in each language, the first
language first.

Deliberately not wrapped ⟦…⟧ in a qps letter: the names filled from the participant list, the
date's numbers, other numbers (minutes, weeks) and the personal code's example.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import zipfile
from pathlib import Path

import polib
import pytest

from connect_share_learn import letters, translations, wording
from connect_share_learn.errors import InputError
from connect_share_learn.letter_layout import english_texts
from connect_share_learn.pack import (
    BuildContext,
    BuildOptions,
    in_language,
    templates_laid_over,
)
from connect_share_learn.pseudo import pseudo
from connect_share_learn.spec.load import load_toolkit

TOOLKIT = load_toolkit()
COURSES = ("foundation", "domestic_abuse")  # with and without registration; both with a follow-up
LETTERS = ("invitation", "thank_you", "follow_up_invitation", "follow_up_reminder", "manager_letter",
           "information_sheet", "results_summary")
WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
PEOPLE = [("Gwenllïan Ŵyn", "Siân Âpŷ"), ("Dŵr Ŷd", "")]
CREATED = dt.datetime(2026, 1, 1)


def paragraphs(path: Path) -> list[str]:
    """The text of every paragraph of the document, its tables', headers' and footers', in order."""
    out = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                xml = archive.read(name).decode("utf-8")
                for paragraph in re.findall(r"<w:p[ >].*?</w:p>", xml, re.DOTALL):
                    out.append(html.unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", paragraph))))
    return out


def title(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return html.unescape(re.search(r"<dc:title>(.*?)</dc:title>", archive.read("docProps/core.xml").decode()).group(1))


def unwrapped(value: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The words of ``value`` outside every ⟦…⟧, but the ``allowed`` values."""
    for kept in sorted(allowed, key=len, reverse=True):
        value = value.replace(kept, " ")
    before = None
    while before != value:
        before, value = value, WRAPPED.sub(" ", value)
    return re.findall(r"[^\W\d_]+", value)


def escapes(path: Path, allowed: tuple[str, ...] = ()) -> list[str]:
    found = [f"{path.name}: {p[:80]!r}" for p in paragraphs(path) + [title(path)] if unwrapped(p, allowed)]
    return found


@pytest.fixture(scope="module")
def qps_letters(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qps")
    toolkit = in_language(TOOLKIT, "qps")
    letters.render(BuildContext(toolkit, BuildOptions(large_print=True), folder,
                                [toolkit.courses[c] for c in COURSES]))
    return folder / "letters"


def test_every_text_of_every_qps_letter_is_translated(qps_letters):
    documents = sorted(qps_letters.rglob("*.docx"))
    assert len(documents) == len(COURSES) * len(LETTERS) * 2  # and the large-print ones
    found = [e for path in documents for e in escapes(path)]
    assert not found, "\n".join(found[:30])


def test_the_qps_letters_hold_the_english_wrapped_and_the_check_can_fail(qps_letters):
    """The check above is not empty-handed: every letter's wording is there, translated."""
    invitation = paragraphs(qps_letters / "foundation" / "invitation.docx")
    assert pseudo("Helping us find out how well our training works") in invitation
    assert pseudo("Yours sincerely,") in invitation
    summary = paragraphs(qps_letters / "domestic_abuse" / "results_summary.docx")
    assert pseudo("Share of people whose confidence rose") in summary  # a table cell
    assert unwrapped("⟦Déâr⟧ colleague") == ["colleague"]
    assert escapes(letters.letters_dir() / "invitation.docx")  # the English template


def test_mail_merged_qps_letters_are_translated_but_the_names(tmp_path):
    people = tmp_path / "pobl.csv"
    people.write_text("name,manager_name\n" + "".join(f"{n},{m}\n" for n, m in PEOPLE), encoding="utf-8")
    toolkit = in_language(TOOLKIT, "qps")
    names = tuple(n for pair in PEOPLE for n in pair if n) + (toolkit.profile.code.example,)
    found = []
    for letter in LETTERS:
        result = letters.merge(toolkit, toolkit.courses["foundation"], letter, people, tmp_path / "out", CREATED,
                               date=dt.date(2026, 3, 14))
        assert len(result.letters) == len(PEOPLE)
        for path in result.letters + [result.combined]:
            found += escapes(path, names)
    assert not found, "\n".join(found[:30])
    merged = paragraphs(tmp_path / "out" / "manager_letter-qps" / "pobl" / "2-Gwenllïan-Ŵyn.docx")
    assert any("Siân Âpŷ" in p for p in merged)
    assert any("14 " + pseudo("March") + " 2026" in p for p in merged)  # the date's month translated, its numbers not


def test_a_bilingual_letter_is_the_whole_letter_in_the_first_language_then_in_the_second(tmp_path):
    toolkit = in_language(TOOLKIT, "qps,en")
    letters.render(BuildContext(toolkit, BuildOptions(), tmp_path, [toolkit.courses["foundation"]]))
    for letter in LETTERS:
        path = tmp_path / "letters" / "foundation" / f"{letter}.docx"
        shown = [p for p in paragraphs(path) if p]
        wrapped = [i for i, p in enumerate(shown) if p.startswith("⟦")]
        plain = [i for i, p in enumerate(shown) if not p.startswith("⟦") and not p.isdigit()]
        assert wrapped and plain and max(wrapped) < min(plain), letter  # every qps text before every English one
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("word/document.xml")
        # The English in a section of its own: on a new page, numbered from 1.
        assert xml.count(b"<w:sectPr") == xml.count(b'<w:pgNumType w:start="1"/>') == 2, letter
        assert title(path).startswith("⟦") and title(path).endswith(" / " + letters.document_title(
            letter, toolkit.courses["foundation"], TOOLKIT)), title(path)
    invitation = [p for p in paragraphs(tmp_path / "letters" / "foundation" / "invitation.docx") if p]
    heading = "Helping us find out how well our training works"
    assert invitation.index(pseudo(heading)) < invitation.index(heading)
    # The English half is filled in English: its placeholders and greeting, not the first language's.
    assert "Dear colleague," in invitation and "[return address]" in invitation
    assert pseudo("Dear {{ recipient }},").replace("{{ recipient }}", pseudo("colleague")) in invitation


def test_csl_letters_merges_a_bilingual_letter_per_person(run, tmp_path):
    people = tmp_path / "pobl.csv"
    people.write_text("name,manager_name\n" + "".join(f"{n},{m}\n" for n, m in PEOPLE), encoding="utf-8")
    result = run("letters", "manager_letter", "--participants", people, "--language", "qps,en",
                 "--date", "2026-03-14", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "manager_letter-qps-en" / "pobl"
    first = [p for p in paragraphs(folder / "2-Gwenllïan-Ŵyn.docx") if p]
    greetings = [p for p in first if "Siân Âpŷ" in p]
    assert greetings == [pseudo("Dear {{ manager_name }},").replace("{{ manager_name }}", "Siân Âpŷ"),
                         "Dear Siân Âpŷ,"]  # first language first
    assert "14 " + pseudo("March") + " 2026" in first and "14 March 2026" in first
    assert first.index("14 " + pseudo("March") + " 2026") < first.index("14 March 2026")
    combined = paragraphs(folder / "all-manager_letter.docx")
    assert sum("Dear " in p and "⟦" not in p for p in combined) == len(PEOPLE)


# ---------------------------------------------------------------------------------------------
# The translator's files


def test_each_text_of_a_letter_is_one_message_with_its_tags_whole():
    texts = english_texts(letters.letters_dir())
    assert set(texts) == set(LETTERS)
    invitation = texts["invitation"]
    assert invitation["heading.0"] == "Helping us find out how well our training works"
    assert invitation["paragraph.1"] == "Thank you for booking a place on the **{{ course_name }}**."
    assert not any("{%p" in t for t in invitation.values())  # control lines are not messages
    assert not any(t.strip("* ") in ("{{ partnership }}", "{{ coordinator }} {{ partnership }}")
                   for t in invitation.values())  # nor tags alone
    summary = texts["results_summary"]
    place = next(p for p, t in summary.items() if t == "Courses and dates included")
    assert place.endswith(".0") and place[:-1] + "1" not in summary  # the empty cell beside it is no message
    messages = {m.context: m for m in wording.messages("letters")}
    assert messages["invitation.heading.0"].source == invitation["heading.0"]
    assert wording.message_file(messages["invitation.heading.0"]) == "letters/source/invitation.md"
    assert wording.message_file(messages["words.recipient"]) == "letters/letters.yaml"


def test_export_check_and_a_translated_letter(run, tmp_path):
    result = run("translations", "export", "--language", "cy", "--out", tmp_path / "tr")
    assert result.exit_code == 0, result.output
    po = polib.pofile(str(tmp_path / "tr" / "cy" / "letters.po"))
    entry = next(e for e in po if e.msgctxt == "invitation.paragraph.1")
    assert (entry.msgid, entry.msgstr) == ("Thank you for booking a place on the **{{ course_name }}**.", "")
    assert entry.occurrences == [("templates/letters/source/invitation.md", "")]
    gaps = {(g.where, g.context) for g in translations.check(TOOLKIT, "cy", ["foundation"])}
    assert ("translations/cy/letters.po", "information_sheet.subheading.0") in gaps

    # The translator's catalogue comes back, in a templates folder: the Welsh letter is laid out from it.
    for e in po:
        e.msgstr = re.sub(r"^(\*\*)?", r"\1Cymraeg ŵ ", e.msgid)
    templates = tmp_path / "templates"
    (templates / "translations" / "cy").mkdir(parents=True)
    po.save(str(templates / "translations" / "cy" / "letters.po"))
    with templates_laid_over(templates, tmp_path / "scratch"):
        assert not [g for g in translations.check(TOOLKIT, "cy", ["foundation"]) if g.where.endswith("letters.po")]
        toolkit = in_language(TOOLKIT, "cy")
        letters.render(BuildContext(toolkit, BuildOptions(), tmp_path / "pack", [toolkit.courses["foundation"]]))
    shown = paragraphs(tmp_path / "pack" / "letters" / "foundation" / "invitation.docx")
    assert "Cymraeg ŵ Helping us find out how well our training works" in shown
    assert "Cymraeg ŵ Yours sincerely," in shown and "Yours sincerely," not in shown


def test_a_translation_that_loses_a_tag_is_refused_naming_the_catalogue_and_the_text(run, tmp_path):
    templates = tmp_path / "templates"
    (templates / "translations" / "cy").mkdir(parents=True)
    po = polib.POFile()
    po.append(polib.POEntry(msgctxt="invitation.paragraph.7", msgid="If you have any questions, please contact "
                            "{{ contact }}.", msgstr="Os oes gennych gwestiynau, cysylltwch â {{ cyswllt }}."))
    po.save(str(templates / "translations" / "cy" / "letters.po"))
    with templates_laid_over(templates, tmp_path / "scratch"), pytest.raises(InputError) as error:
        letters.template_for("invitation", "cy")
    assert "letters.po" in str(error.value) and "invitation.paragraph.7" in str(error.value)
    assert "{{ contact }}" in str(error.value)


def test_a_languages_own_template_is_printed_as_written_and_needs_no_catalogue(tmp_path):
    templates = tmp_path / "templates"
    (templates / "letters" / "cy").mkdir(parents=True)
    own = templates / "letters" / "cy" / "thank_you.docx"
    with zipfile.ZipFile(letters.letters_dir() / "thank_you.docx") as source, zipfile.ZipFile(own, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"Thank you", b"Diolch yn fawr")
            target.writestr(info, data)
    with templates_laid_over(templates, tmp_path / "scratch"):
        gaps = {g.context.split(".")[0] for g in translations.check(TOOLKIT, "cy", ["foundation"])
                if g.where.endswith("letters.po")}
        assert "thank_you" not in gaps and "invitation" in gaps
        toolkit = in_language(TOOLKIT, "cy,en")
        letters.render(BuildContext(toolkit, BuildOptions(), tmp_path / "pack", [toolkit.courses["foundation"]]))
    shown = " ".join(paragraphs(tmp_path / "pack" / "letters" / "foundation" / "thank_you.docx"))
    assert shown.index("Diolch yn fawr") < shown.index("Thank you")  # the partnership's Welsh, then the English


def test_a_build_with_untranslated_letters_stops_or_marks_each_fallback(run, tmp_path):
    stopped = run("translations", "check", "--language", "cy")
    assert stopped.exit_code == 1 and "translations/cy/letters.po: invitation.heading.0 (missing)" in stopped.output
    result = run("build", "--language", "cy,en", "--allow-incomplete", "--course", "foundation",
                 "--out", tmp_path, "--no-zip")
    assert result.exit_code == 0, result.output
    pack = tmp_path / "connect-share-learn-0.1.0"
    rows = list(csv.DictReader(io.StringIO((pack / "codebook-fallbacks.csv").read_text(encoding="utf-8-sig"))))
    contexts = {(r["where"], r["context"]) for r in rows}
    assert ("translations/cy/letters.po", "information_sheet.heading.0") in contexts
    assert ("translations/cy/letters.po", "results_summary.row.0.0") in contexts
    refused = run("letters", "invitation", "--participants", _people(tmp_path), "--language", "cy",
                  "--out", tmp_path / "out")
    assert refused.exit_code == 2 and "not fully translated" in refused.output
    assert "--allow-incomplete" in refused.output and not (tmp_path / "out").exists()


def _people(folder: Path) -> Path:
    path = folder / "people.csv"
    path.write_text("name\nAnn Jones\n", encoding="utf-8")
    return path


def test_the_english_templates_are_still_what_the_layout_makes(tmp_path):
    """One layout: the English .docx templates are the English source laid out by letter_layout."""
    from connect_share_learn.documents import write_docx

    for letter in ("invitation", "results_summary"):
        made = tmp_path / f"{letter}.docx"
        write_docx(letters.laid_out(letters.letters_dir(), letter, "en"), made, CREATED)
        assert paragraphs(made) == paragraphs(letters.letters_dir() / f"{letter}.docx"), letter


@pytest.mark.libreoffice
def test_bilingual_letters_print_each_language_on_its_own_pages_numbered_from_one(tmp_path):
    """Looked at: the qps half of a letter takes the pages its English takes, so a bilingual
    letter takes twice the English's pages, large print included, and each half is numbered from 1."""
    import subprocess

    from connect_share_learn.documents import to_pdf

    toolkit = in_language(TOOLKIT, "qps,en")
    letters.render(BuildContext(toolkit, BuildOptions(large_print=True), tmp_path / "both",
                                [toolkit.courses["foundation"]]))
    letters.render(BuildContext(TOOLKIT, BuildOptions(large_print=True), tmp_path / "en",
                                [TOOLKIT.courses["foundation"]]))
    names = ("invitation", "information_sheet", "information_sheet-large-print")
    pdfs = to_pdf([tmp_path / x / "letters" / "foundation" / f"{n}.docx" for x in ("both", "en") for n in names])

    def pages(pdf: Path) -> list[str]:
        words = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
        return [page.strip().splitlines()[-1].strip() for page in words.stdout.split("\f") if page.strip()]

    for both, english in zip(pdfs[:3], pdfs[3:]):
        numbers = [str(n) for n in range(1, len(pages(english)) + 1)]
        assert pages(both) == numbers + numbers, both.name
