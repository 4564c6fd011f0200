"""Language editions (issue 16): every part of the pack in the edition's language, bilingual
editions, the files translators work in, and one course type across editions.

The proof that nothing escapes translation is the pseudo-language ``qps`` (pseudo.py): every
text it prints is wrapped ⟦…⟧, so an unwrapped word in any file is one that was not translated.
Deliberately not wrapped, because they are the same in every language: numbers, ids and
codes (column ids such as ``se_1``, answer codes, time point codes ``t1``), file names, the
statistics' symbols (d, dz, n, p, t, df, SD, CI), XLSForm's own syntax (its sheet and column
names, question types, constraints), the participant-code alphabet and canary data of the
workbook's hidden Workings sheet, and the Codebook sheet's list of defined names for analysts.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import polib
import pytest
import yaml

from connect_share_learn import translations, wording
from connect_share_learn.contract import START_SHEET, TIME_POINT_SHEETS
from connect_share_learn.pack import BuildOptions, build_pack, in_language
from connect_share_learn.pseudo import pseudo
from connect_share_learn.testing import course_rows
from connect_share_learn.workbook.layout import entry_sheet_names

from helpers import default_toolkit, once_per_run
from recalc import check_workbooks

TOOLKIT = default_toolkit()
COURSES = ("foundation", "domestic_abuse")  # between them, every time point
WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
# Same in every language: statistics' symbols, units of codes, the toolkit's name.
SYMBOLS = {"d", "dz", "n", "p", "t", "df", "SD", "CI", "GP", "connect", "share", "learn", "csl"}
ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|t[0-3]|[A-Z]{1,2}[0-9]{2}[A-Z]?|\b[1-4][ab]?\b")
# Ids of one word (column ids, the entry sheets' helper columns, kinds of answer) and the
# research's citations and significance, quoted as published.
IDS = ({q.id for q in TOOLKIT.profile.questions} | set(TOOLKIT.scales) | set(TOOLKIT.formats) | set(TOOLKIT.courses)
       | {"code", "status", "typed", "key", "dup", "profile", "choice", "rating", "text", "mean", "sum", "none"})
QUOTED = sorted(set(TOOLKIT.citations.values()) | {b.significance for b in TOOLKIT.benchmarks if b.significance}
                | {s.provenance.author for s in TOOLKIT.scales.values()},
                key=len, reverse=True)


def unwrapped_words(value: str) -> list[str]:
    """The words of ``value`` outside every ⟦…⟧ (a text clipped with "…" counts as closed)."""
    if value.endswith("…") and value.count("⟦") > value.count("⟧"):
        value += "⟧" * (value.count("⟦") - value.count("⟧"))
    before = None
    while before != value:
        before, value = value, WRAPPED.sub(" ", value)
    value = ID.sub(" ", value)
    return [w for w in re.findall(r"[^\W\d_]{1,}", value) if w not in SYMBOLS]


def escapes(where: str, value) -> list[str]:
    if not isinstance(value, str) or value.strip() in IDS:
        return []
    for quoted in QUOTED:
        value = value.replace(quoted, " ")
    words = unwrapped_words(value)
    return [f"{where}: {value[:90]!r} ({' '.join(words[:5])})"] if words else []


@pytest.fixture(scope="module")
def pseudo_pack(tmp_path_factory):
    return once_per_run(tmp_path_factory, "qps", lambda out: build_pack(
        in_language(TOOLKIT, "qps"), out, BuildOptions(courses=COURSES, zip=False)).folder)


def _docx_escapes(path: Path) -> list[str]:
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                xml = archive.read(name).decode("utf-8")
                for paragraph in re.findall(r"<w:p[ >].*?</w:p>", xml, re.DOTALL):
                    words = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", paragraph))
                    found += escapes(f"{path.name} {name}", words.replace("&amp;", "&").replace("&apos;", "'"))
            elif name == "docProps/core.xml":
                found += escapes(f"{path.name} title", re.search(r"<dc:title>(.*?)</dc:title>",
                                                                  archive.read(name).decode()).group(1))
    return found


def _workbook_escapes(path: Path) -> list[str]:
    """Every visible sheet's name and cells (a formula's true value as stored), its data
    validation messages and its charts' titles and series names."""
    found = []
    book = openpyxl.load_workbook(path, data_only=True)
    names_block = None
    if "codebook_names" in book.defined_names:
        sheet, ref = next(book.defined_names["codebook_names"].destinations)
        names_block = (sheet, openpyxl.utils.cell.range_boundaries(ref.replace("$", "")))
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue  # the Workings sheet: chart feeds, item sums and the self-check's canaries
        found += escapes(f"{path.name} sheet name", ws.title)
        for row in ws.iter_rows():
            for c in row:
                if names_block and ws.title == names_block[0] and names_block[1][1] < c.row <= names_block[1][3]:
                    continue
                found += escapes(f"{path.name} {ws.title}!{c.coordinate}", c.value)
        for dv in ws.data_validations.dataValidation:
            for value in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error):
                found += escapes(f"{path.name} {ws.title} validation", value)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/charts/chart"):
                xml = archive.read(name).decode("utf-8")
                for value in re.findall(r"<a:t>([^<]*)</a:t>", xml) + re.findall(r"<c:v>([^<]*)</c:v>", xml):
                    found += escapes(f"{path.name} {name}", value)
    return found


def _form_escapes(path: Path) -> list[str]:
    found = []
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        heads = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2, values_only=True):
            for head, value in zip(heads, row):
                if head.split("::")[0] in ("label", "hint", "constraint_message", "form_title"):
                    found += escapes(f"{path.name} {ws.title} {head}", value)
    return found


def test_the_pseudo_edition_translates_every_visible_string(pseudo_pack):
    found = []
    for path in sorted(pseudo_pack.rglob("*")):
        part = path.relative_to(pseudo_pack).parts[0]
        if path.suffix == ".docx" and part == "questionnaires":
            found += _docx_escapes(path)
        elif path.suffix == ".xlsx" and part == "workbooks":
            found += _workbook_escapes(path)
        elif path.suffix == ".xlsx" and part == "online":
            found += _form_escapes(path)
        elif path.name == "codebook.csv":
            rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
            for row in rows:
                for column in row:
                    if column.startswith(("wording", "codes", "scoring")):
                        found += escapes(f"codebook.csv {row['item']} {column}", row[column])
    assert not found, "\n".join(found[:40])


def test_the_pseudo_edition_wraps_what_english_prints(pseudo_pack):
    """The check above is not empty-handed: the pseudo pack holds the English texts, wrapped."""
    book = openpyxl.load_workbook(pseudo_pack / "workbooks" / "foundation.xlsx")
    assert book.sheetnames[:2] == [pseudo("Start here"), pseudo("Summary")]
    assert pseudo("Start") + " (t1)" in book.sheetnames  # the time point's code is the same in every language
    text = (pseudo_pack / "codebook.csv").read_text(encoding="utf-8-sig")
    assert pseudo("I am confident that I know how to share information about a child with practitioners in "
                  "other agencies, lawfully and safely.") in text


def test_an_english_word_left_in_code_is_found(tmp_path):
    """The scan itself catches an escape (a word outside the wrapping), and passes ids and numbers."""
    assert unwrapped_words("⟦Ŝţâŕţ⟧ (t1)") == []
    assert unwrapped_words("se_1: ⟦Shâré îñförmâtîöñ⟧") == []
    assert unwrapped_words("⟦⟦Çöûršé⟧ · Pâgé⟧ 1 ⟦öf⟧ 2") == []
    assert unwrapped_words("⟦Réçörd çöñ…") == []
    assert unwrapped_words("⟦röšé bŷ⟧ 20.1 points") == ["points"]


# ---------------------------------------------------------------------------------------------
# Data, not code


def test_the_english_entry_sheets_keep_the_names_readers_look_for():
    names = entry_sheet_names(TOOLKIT)
    assert names == TIME_POINT_SHEETS
    assert wording.load("workbook")["sheets"]["start"] == START_SHEET


def test_every_wording_part_loads_in_every_language_with_english_where_none_is_given():
    for part in wording.PARTS:
        english = wording.load(part)
        assert wording.load(part, "cy") == english  # no Welsh catalogue ships: English in every gap
        assert len(wording.gaps("cy", (part,))) == len(wording.messages(part))
    assert wording.load("workbook", "qps")["sheets"]["results"] == "⟦Réšûlţš⟧".replace("ţ", "t")


# ---------------------------------------------------------------------------------------------
# A language not fully translated


def test_a_build_in_an_untranslated_language_stops_with_what_is_missing(run, tmp_path):
    result = run("build", "--language", "cy", "--course", "foundation", "--out", tmp_path / "out", "--no-zip")
    assert result.exit_code == 2
    assert "not fully translated" in result.output and "translations/cy/questionnaire.po" in result.output
    assert "csl translations export --language cy" in result.output
    assert not (tmp_path / "out" / "connect-share-learn-0.1.0").exists()


def test_allow_incomplete_builds_with_english_and_the_codebook_marks_each_fallback(run, tmp_path):
    result = run("build", "--language", "cy,en", "--allow-incomplete", "--course", "foundation",
                 "--out", tmp_path, "--no-zip")
    assert result.exit_code == 0, result.output
    pack = tmp_path / "connect-share-learn-0.1.0"
    rows = list(csv.DictReader(io.StringIO((pack / "codebook.csv").read_text(encoding="utf-8-sig"))))
    assert {"wording_cy", "wording_en", "codes_cy", "codes_en", "in_english"} <= set(rows[0])
    assert all(r["in_english"] == "cy" and r["wording_cy"] == r["wording_en"] for r in rows)
    fallbacks = list(csv.DictReader(io.StringIO((pack / "codebook-fallbacks.csv").read_text(encoding="utf-8-sig"))))
    contexts = {(r["where"], r["context"]) for r in fallbacks}
    assert ("translations/cy/workbook.po", "sheets.results") in contexts
    assert ("scale self_efficacy", "items.se_1.text") in contexts
    assert {r["language"] for r in fallbacks} == {"cy"}


# ---------------------------------------------------------------------------------------------
# The translator's files


def _translate_po(path: Path, words: str = "Cymraeg") -> None:
    catalogue = polib.pofile(str(path))
    for entry in catalogue:
        entry.msgstr = f"{words}: {entry.msgid}"
    catalogue.save()


def _translate_yaml(folder: Path) -> None:
    for path in folder.rglob("*.yaml"):
        source = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^(\s*)cy: ''$", r"\1cy: Cymraeg ŵ ŷ â", source, flags=re.MULTILINE), encoding="utf-8")


@pytest.mark.slow
def test_translations_export_then_check_round_trip(run, tmp_path):
    result = run("translations", "export", "--language", "cy", "--out", tmp_path / "tr")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "tr" / "cy"
    catalogue = polib.pofile(str(folder / "workbook.po"))
    entry = next(e for e in catalogue if e.msgctxt == "sheets.results")
    assert (entry.msgid, entry.msgstr) == ("Results", "")  # context and English, nothing translated yet
    scale = yaml.safe_load((folder / "scales" / "self_efficacy.yaml").read_text(encoding="utf-8"))
    assert scale["items"][0]["text"]["cy"] == "" and scale["items"][0]["text"]["en"].startswith("I am confident")
    assert scale["translations"]["cy"]["source"]["items.se_1.text"] == translations.fingerprint(
        scale["items"][0]["text"]["en"])
    before = run("translations", "check", "--language", "cy")
    assert before.exit_code == 1 and "scale self_efficacy: items.se_1.text (missing)" in before.output

    # The translator's work comes back: the catalogues in a templates folder, the YAML as scales and courses.
    templates = tmp_path / "templates" / "translations" / "cy"
    templates.mkdir(parents=True)
    for po in folder.glob("*.po"):
        _translate_po(po)
        shutil.copy(po, templates / po.name)
    _translate_yaml(folder)
    spec = ("--scales", folder / "scales", "--courses", folder / "courses")
    after = run("translations", "check", "--language", "cy", "--templates", tmp_path / "templates", *spec)
    assert after.exit_code == 0, after.output
    build = run("build", "--language", "cy,en", "--course", "foundation", "--templates", tmp_path / "templates",
                *spec, "--out", tmp_path / "out", "--no-zip")
    assert build.exit_code == 0, build.output
    pack = tmp_path / "out" / "connect-share-learn-0.1.0"
    assert not (pack / "codebook-fallbacks.csv").exists()
    sheets = openpyxl.load_workbook(pack / "workbooks" / "foundation.xlsx").sheetnames
    assert "Cymraeg- Results" in sheets  # no sheet name may hold ":"

    # The English of an item changes after it was translated: its translation is stale.
    path = folder / "scales" / "self_efficacy.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lawfully and safely", "safely"), encoding="utf-8")
    # …and so is a catalogue's translation of English that has since changed.
    po = polib.pofile(str(templates / "questionnaire.po"))
    next(e for e in po if e.msgctxt == "code_heading").msgid = "Your own code"
    po.save()
    stale = run("translations", "check", "--language", "cy", "--templates", tmp_path / "templates", *spec)
    assert stale.exit_code == 1
    assert "scale self_efficacy: items.se_1.text (stale)" in stale.output
    assert "translations/cy/questionnaire.po: code_heading (stale)" in stale.output
    again = run("translations", "export", "--language", "cy", "--out", tmp_path / "again",
                "--templates", tmp_path / "templates", *spec)
    assert again.exit_code == 0, again.output
    marked = next(e for e in polib.pofile(str(tmp_path / "again" / "cy" / "questionnaire.po"))
                  if e.msgctxt == "code_heading")
    assert "fuzzy" in marked.flags and marked.previous_msgid == "Your own code"


# ---------------------------------------------------------------------------------------------
# Bilingual editions


def test_a_bilingual_online_form_has_a_label_column_per_language_and_converts(run, tmp_path):
    from pyxform.xls2xform import convert

    result = run("build", "--language", "cy,en", "--allow-incomplete", "--course", "domestic_abuse",
                 "--out", tmp_path, "--no-zip")
    assert result.exit_code == 0, result.output
    form = tmp_path / "connect-share-learn-0.1.0" / "online" / "domestic_abuse" / "t0.xlsx"
    survey = openpyxl.load_workbook(form)["survey"]
    heads = [c.value for c in survey[1]]
    assert heads[2:4] == ["label::Cymraeg (cy)", "label::English (en)"]
    assert "hint::Cymraeg (cy)" in heads and "constraint_message::English (en)" in heads
    converted = convert(xlsform=str(form))
    assert 'lang="Cymraeg (cy)"' in converted.xform and 'lang="English (en)"' in converted.xform
    assert not [w for w in converted.warnings if "language" in w], converted.warnings


def test_the_pseudo_bilingual_form_converts_too(tmp_path):
    from pyxform.xls2xform import convert

    from connect_share_learn.xlsform import build_form, form_bytes

    toolkit = in_language(TOOLKIT, "qps,en")
    form = build_form(toolkit, toolkit.courses["foundation"], "t1")
    path = tmp_path / "t1.xlsx"
    path.write_bytes(form_bytes(form, __import__("datetime").datetime(2026, 1, 1)))
    assert convert(xlsform=str(path)).xform


@pytest.mark.slow
def test_a_bilingual_workbook_keeps_its_statistics(tmp_path):
    """The workbook of a bilingual edition (its own words in the first language, every sheet
    and formula named in it) recalculates in both engines to stats.py's values."""
    toolkit = in_language(TOOLKIT, "qps,en")
    course = toolkit.courses["foundation"]
    check_workbooks([("foundation", course_rows(toolkit, course, 25, seed=7, bad_rate=0.1, duplicates=1))],
                    tmp_path, toolkit)


# ---------------------------------------------------------------------------------------------
# One course type across editions


def test_editions_of_a_course_are_one_course_type(tmp_path):
    from connect_share_learn.analyse.run import analyse
    from connect_share_learn.workbook.build import write_workbook

    translated = replace(TOOLKIT, scales={
        **TOOLKIT.scales,
        "self_efficacy": TOOLKIT.scales["self_efficacy"].model_copy(update={"title": {
            "en": text_of(TOOLKIT.scales["self_efficacy"].title), "cy": "Hyder wrth weithio gydag asiantaethau eraill"}}),
    })
    assert translated.spec_hash == TOOLKIT.spec_hash  # a translation added changes no course type
    folder = tmp_path / "returns"
    folder.mkdir()
    course = TOOLKIT.courses["foundation"]
    editions = {"pseudo": in_language(translated, "qps"), "bilingual": in_language(translated, "cy,en"),
                "english": TOOLKIT}
    for seed, (name, edition) in enumerate(editions.items()):
        (folder / name).mkdir()
        write_workbook(edition, course, folder / name / "course.xlsx", capacity=40,
                       rows=course_rows(TOOLKIT, course, 20, seed=seed, bad_rate=0, duplicates=0))
    analysis = analyse(TOOLKIT, [folder], workers=1)
    assert [b.course for b in analysis.books] == ["foundation"] * 3
    assert not [p for p in analysis.problems if p.rule in ("spec_differs", "unknown_course", "names_missing")]
    pooled = next(g for g in analysis.results if g.kind == "course_type")
    each = [next(g for g in analyse(TOOLKIT, [folder / name], workers=1).results if g.kind == "course_type")
            for name in editions]
    n = {(s.scale, s.tp): s.stats.n for s in pooled.time_points}
    assert n[("self_efficacy", "t1")] > 0
    assert n == {key: sum({(s.scale, s.tp): s.stats.n for s in g.time_points}[key] for g in each) for key in n}


def text_of(value):
    from connect_share_learn.spec.model import text

    return text(value)


# ---------------------------------------------------------------------------------------------
# Welsh letters


@pytest.mark.libreoffice
def test_welsh_letters_survive_mail_merge_pdf_and_file_names(tmp_path):
    from connect_share_learn.letters import merge

    people = tmp_path / "cyfranogwyr-ŵŷâ.csv"
    people.write_text("name,manager_name\nGwenllïan Ŵyn,Siân Âpŷ\nDŵr Ŷd,\n", encoding="utf-8")
    toolkit = in_language(TOOLKIT, "qps")
    result = merge(toolkit, toolkit.courses["foundation"], "manager_letter", people, tmp_path / "out",
                   __import__("datetime").datetime(2026, 1, 1), pdf=True)
    names = sorted(p.name for p in result.letters)
    assert names == ["2-Gwenllïan-Ŵyn.docx", "3-Dŵr-Ŷd.docx"]  # numbered by their row in the list
    assert result.folder.name == "cyfranogwyr-ŵŷâ" and not result.missing_pdfs
    with zipfile.ZipFile(result.letters[0]) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "Siân Âpŷ" in xml and "⟦çölléâgûé⟧" not in xml
    for pdf in result.pdfs:
        words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "ŵ" in words.lower() or "ŷ" in words.lower(), pdf.name
    first = subprocess.run(["pdftotext", str(result.folder / "2-Gwenllïan-Ŵyn.pdf"), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert "Siân Âpŷ" in first


def test_online_responses_import_into_a_workbook_of_another_edition(tmp_path):
    """An export of the English form goes into a bilingual workbook (its entry sheet named in the
    first language), and answers given as labels in either language are read as their codes."""
    from connect_share_learn.importing.run import import_responses
    from connect_share_learn.workbook.build import write_workbook

    course = TOOLKIT.courses["foundation"]
    agree = TOOLKIT.formats["agree5"]
    welsh = agree.model_copy(update={"labels": {k: {"en": text_of(v), "cy": f"Cymraeg {k}"}
                                                for k, v in agree.labels.items()}})
    toolkit = replace(TOOLKIT, formats={**TOOLKIT.formats, "agree5": welsh})
    workbook = write_workbook(in_language(toolkit, "qps,en"), course, tmp_path / "dwyieithog.xlsx", capacity=20)
    responses = tmp_path / "kobo.csv"
    responses.write_text("code,se_1,att_1,att_2\nAB01C,50,Cymraeg 4,Agree\nXY02Z,70,2,Cymraeg 5\n", encoding="utf-8")
    report = import_responses(toolkit, "foundation", "t1", responses, workbook, tmp_path / "out.xlsx")
    assert report.imported == 2 and report.sheet == pseudo("Start") + " (t1)"
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx")[report.sheet]
    heads = [c.value for c in sheet[3]]
    typed = [[row[heads.index(c)] for c in ("code", "att_1", "att_2")] for row in sheet.iter_rows(min_row=4, max_row=5,
                                                                                                   values_only=True)]
    assert typed == [["AB01C", 4, 4], ["XY02Z", 2, 5]]
