"""The guide, report.html and results.xlsx in any language (issue 16): their words are gettext
messages (guide.po, report.po), the pseudo-language wraps every one, and a bilingual edition's
guide is in each language, linked both ways, with every link resolving."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import openpyxl
import polib
import pytest

from connect_share_learn import translations, wording
from connect_share_learn.pack import BuildOptions, build_pack, in_language, templates_laid_over
from connect_share_learn.pseudo import pseudo
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.testing import contract_workbook, simulate

TOOLKIT = load_toolkit()
COURSES = ("foundation", "domestic_abuse")
WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
# Same in every language (docs/languages.md): statistics' symbols and the toolkit's name.
SYMBOLS = {"d", "dz", "n", "p", "t", "df", "SD", "CI", "GP", "connect", "share", "learn", "csl"}
ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|t[0-3]|\b[1-4][ab]?\b")
# Quoted as published: the research's citations and significance, and scale authors' names.
QUOTED = sorted(set(TOOLKIT.citations.values()) | {b.significance for b in TOOLKIT.benchmarks if b.significance}
                | {s.provenance.author for s in TOOLKIT.scales.values()}, key=len, reverse=True)
# What a returned workbook's own details say (typed by its user), and where it was.
TYPED = ("Northshire Safeguarding Children Partnership", "Working Together")
# Elements whose text is the same in every language: code and commands (<code>, <pre>), file
# links (their text is the file's path), the references quoted as published, and the link to
# the guide in another language (named in that language).
KEPT_AS_IS = {("code", None), ("pre", None), ("a", "file"), ("ol", "references"), ("p", "site-languages"),
              ("style", None)}


def unwrapped_words(value: str) -> list[str]:
    """The words of ``value`` outside every ⟦…⟧ (nested ones included) that are not ids or symbols."""
    for quoted in QUOTED + list(TYPED):
        value = value.replace(quoted, " ")
    before = None
    while before != value:
        before, value = value, WRAPPED.sub(" ", value)
    value = ID.sub(" ", value)
    return [w for w in re.findall(r"[^\W\d_]+", value) if w not in SYMBOLS]


class Page(HTMLParser):
    """A page's visible text (and alt and aria-label texts), its links, ids and language."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.lang = None
        self._open: list[tuple[str, bool]] = []
        self.feed(text)

    @property
    def _kept(self) -> bool:
        return any(kept for _, kept in self._open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])
        if tag in ("img", "meta", "link", "br", "input"):
            if attrs.get("alt"):
                self.parts.append(f" {attrs['alt']} ")
            return
        kept = (tag, None) in KEPT_AS_IS or any((tag, c) in KEPT_AS_IS for c in (attrs.get("class") or "").split())
        self._open.append((tag, kept))
        if attrs.get("aria-label"):
            self.parts.append(f" {attrs['aria-label']} ")

    def handle_endtag(self, tag):
        self.parts.append(" ")  # cells side by side are separate texts
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        self.parts.append(" " if self._kept else data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    """A pseudo-language and English edition (qps first) of two course types."""
    out = tmp_path_factory.mktemp("qps-en")
    return build_pack(in_language(TOOLKIT, "qps,en"), out, BuildOptions(courses=COURSES, zip=False)).folder


def _pages(folder: Path, under: str) -> list[Path]:
    return sorted((folder / under).glob("*.html")) if under else [folder / "index.html",
                                                                   *sorted((folder / "guide").glob("*.html"))]


def test_every_visible_text_of_the_pseudo_guide_is_wrapped(bilingual):
    pages = _pages(bilingual, "")
    assert len(pages) == 4 + len(COURSES)
    escaped = []
    for path in pages:
        page = Page(path.read_text("utf-8"))
        assert page.lang == "qps", path
        words = unwrapped_words(page.text)
        if words:
            escaped.append(f"{path.relative_to(bilingual)}: {' '.join(sorted(set(words))[:12])}")
    assert escaped == []
    # And the words are there, accented, not just brackets round nothing.
    assert pseudo("Reading the results") in (bilingual / "guide" / "statistics.html").read_text("utf-8")


def test_the_english_half_of_the_bilingual_guide_is_english(bilingual):
    pages = _pages(bilingual, "guide/en")
    assert [p.name for p in pages] == sorted(p.name for p in _pages(bilingual, ""))
    for path in pages:
        page = Page(path.read_text("utf-8"))
        assert page.lang == "en" and "⟦" not in page.text, path
    assert "Reading the results" in (bilingual / "guide" / "en" / "statistics.html").read_text("utf-8")


def test_every_link_of_the_bilingual_guide_resolves_and_each_page_links_to_its_other_language(bilingual):
    pages = {p: Page(p.read_text("utf-8")) for p in _pages(bilingual, "") + _pages(bilingual, "guide/en")}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{path}: {link} leaves the pack"
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.is_file() or bilingual.resolve() not in target.parents:
                broken.append(f"{path.relative_to(bilingual)} → {link}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in pages[target].ids:
                broken.append(f"{path.relative_to(bilingual)} → {link} (no such id)")
    assert broken == []
    first, second = bilingual / "guide" / "statistics.html", bilingual / "guide" / "en" / "statistics.html"
    assert (first.parent / "en" / "statistics.html").resolve() == second.resolve()
    assert second.resolve() in {(first.parent / link).resolve() for link in pages[first].links}
    assert {(second.parent / link).resolve() for link in pages[second].links} \
        >= {first.resolve(), (bilingual / "guide" / "en" / "index.html").resolve()}


@pytest.fixture(scope="module")
def pseudo_analysis(tmp_path_factory):
    """`csl analyse --language qps` of returned workbooks (and a broken and a repeated file)."""
    from click.testing import CliRunner

    from connect_share_learn.cli import cli

    folder = tmp_path_factory.mktemp("returns")
    for i, cid in enumerate(["foundation", "foundation", "domestic_abuse"]):
        course = TOOLKIT.courses[cid]
        contract_workbook(folder / f"course_{i}.xlsx", TOOLKIT, course, simulate(TOOLKIT, course, 14 + 4 * i, seed=7 + i))
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not the rest of a zip")
    (folder / "copy.xlsx").write_bytes((folder / "course_1.xlsx").read_bytes())
    out = tmp_path_factory.mktemp("analysis") / "out"
    result = CliRunner().invoke(cli, ["analyse", str(folder), "--out", str(out), "--language", "qps"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_every_visible_text_of_the_pseudo_report_is_wrapped(pseudo_analysis):
    html = (pseudo_analysis / "report.html").read_text("utf-8")
    page = Page(re.sub(r"<svg.*?</svg>", "", html, flags=re.DOTALL))
    assert page.lang == "qps"
    # File names and the workbooks' own course details are the user's; everything else is words.
    text = re.sub(r"[^\s⟦⟧]+\.(?:xlsx|csv)\b", " ", page.text).replace("[c]", " ")  # the hidden cells' mark
    assert unwrapped_words(text) == []
    assert pseudo("Headline findings") in html and pseudo("All courses") in html
    # The charts' titles and labels too (their data labels are numbers and names given).
    for title in re.findall(r"<title[^>]*>(.*?)</title>", html):
        assert unwrapped_words(re.sub(r"[^\s⟦⟧]+\.xlsx\b", " ", title)) == [], title


def test_every_heading_and_label_of_the_pseudo_results_workbook_is_wrapped(pseudo_analysis):
    book = openpyxl.load_workbook(pseudo_analysis / "results.xlsx")
    escaped = []
    for ws in book.worksheets:
        assert ws.title.startswith("⟦"), ws.title
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or value.endswith(".xlsx") or value in ("[c]", "quality.csv"):
                    continue
                if re.fullmatch(r"[\d.\-]+|[a-z0-9_]+", value):  # dates, the version, ids and rules
                    continue
                words = unwrapped_words(value)
                if words:
                    escaped.append(f"{ws.title}!{cell.coordinate}: {value[:60]!r}")
    assert escaped == []
    charts = book[wording.load("report", "qps")["sheets"]["charts"]]._charts
    assert len(charts) >= 3
    for chart in charts:
        title = "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))
        assert title.startswith("⟦") or "⟦" in title and unwrapped_words(title) == [], title


# ---------------------------------------------------------------------------------------------
# The catalogues: exported, checked, used


def test_the_guide_and_report_messages_are_exported_with_their_template_and_line(tmp_path):
    translations.export(TOOLKIT, "cy", tmp_path)
    guide = polib.pofile(str(tmp_path / "cy" / "guide.po"))
    report = polib.pofile(str(tmp_path / "cy" / "report.po"))
    statistics = [e for e in guide if e.msgid == "Reading the results"]
    assert statistics and all(re.fullmatch(r"[a-z_]+\.html\.j2:\d+", e.msgctxt) for e in statistics)
    assert statistics[0].occurrences[0][0] == "templates/guide/" + statistics[0].msgctxt.split(":")[0]
    # The report's catalogue holds its YAML's short wording and its template's sentences.
    contexts = {e.msgctxt for e in report}
    assert "columns.mean" in contexts and any(c.startswith("report.html.j2:") for c in contexts)
    # A message with a value the template fills in says so, as translators' tools expect.
    placeholder = next(e for e in guide if "%(minutes)s" in e.msgid)
    assert "python-format" in placeholder.flags


def _guide_catalogue(folder: Path, entries: list[tuple[str, str, str]]) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for context, english, translated in entries:
        po.append(polib.POEntry(msgctxt=context, msgid=english, msgstr=translated))
    (folder / "translations" / "cy").mkdir(parents=True)
    po.save(str(folder / "translations" / "cy" / "guide.po"))


def _message(english: str) -> wording.Message:
    return next(m for m in wording.messages("guide") if m.source == english)


def test_a_translation_is_used_after_its_message_moves_and_stale_after_its_english_changes(tmp_path):
    heading = _message("Reading the results")
    template = heading.context.split(":")[0]
    _guide_catalogue(tmp_path / "mine", [
        (f"{template}:999", "Reading the results", "Darllen y canlyniadau"),  # lines above it were added
        (_message("Plan").context, "Plan it", "Cynllunio"),  # made from English that has since changed
    ])
    with templates_laid_over(tmp_path / "mine", tmp_path / "scratch"):
        assert wording.translate(heading, "cy") == "Darllen y canlyniadau"
        gaps = {g.message.context: g for g in wording.gaps("cy", ("guide",))}
        assert heading.context not in gaps
        assert gaps[_message("Plan").context].state == "stale" and gaps[_message("Plan").context].was == "Plan it"
        listed = translations.check(TOOLKIT, "cy", parts=("guide",))
        assert any(g.where == "translations/cy/guide.po" and g.english == "Plan" for g in listed)


def test_a_welsh_guide_uses_the_catalogue_and_falls_back_to_english_where_it_has_none(tmp_path):
    from connect_share_learn import guide

    _guide_catalogue(tmp_path / "mine", [(_message("Reading the results").context, "Reading the results",
                                          "Darllen y canlyniadau")])
    with templates_laid_over(tmp_path / "mine", tmp_path / "scratch"):
        env = guide.environment(guide.template_folder(), "cy")
        page = env.from_string('{{ _("Reading the results") }} · {{ _("Plan") }} · '
                               '{% trans n=3 %}About {{ n }} minutes{% endtrans %}').render()
    assert page == "Darllen y canlyniadau · Plan · About 3 minutes"


def test_a_translation_that_breaks_a_placeholder_is_refused_naming_the_catalogue(tmp_path, run):
    minutes = _message("About %(minutes)s minutes")
    _guide_catalogue(tmp_path / "mine", [(minutes.context, minutes.source, "Tua %(munudau)s munud")])
    result = run("build", "--language", "cy", "--allow-incomplete", "--course", "foundation", "--no-zip",
                 "--templates", tmp_path / "mine", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "guide.po" in result.output and minutes.context in result.output and "%(name)s" in result.output
    assert not (tmp_path / "out" / "connect-share-learn-0.1.0").exists()


def test_analyse_in_an_untranslated_language_stops_unless_allowed(tmp_path, run):
    course = TOOLKIT.courses["foundation"]
    contract_workbook(tmp_path / "one.xlsx", TOOLKIT, course, simulate(TOOLKIT, course, 12, seed=3))
    refused = run("analyse", tmp_path / "one.xlsx", "--out", tmp_path / "a", "--language", "cy")
    assert refused.exit_code == 2 and "translations/cy/report.po" in refused.output
    assert not (tmp_path / "a").exists()
    allowed = run("analyse", tmp_path / "one.xlsx", "--out", tmp_path / "b", "--language", "cy", "--allow-incomplete")
    assert allowed.exit_code == 0
    html = (tmp_path / "b" / "report.html").read_text("utf-8")
    assert '<html lang="cy">' in html and "Headline findings" in html
    assert "not translated into 'cy'" in allowed.output


def test_an_export_that_fails_part_way_leaves_nothing_behind(tmp_path, monkeypatch):
    """The translator's folder gets every file or none: a failure after the first catalogues
    leaves no part-written folder (and what was in --out before is untouched)."""
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    written = []

    def fail_after_two(part, language):
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(part)
        return real(part, language)

    real = translations._catalogue
    monkeypatch.setattr(translations, "_catalogue", fail_after_two)
    with pytest.raises(Exception, match="No space left|not written|could not"):
        translations.export(TOOLKIT, "cy", tmp_path)
    assert written and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
