"""The guide (issue 5): static, accessible pages whose every link resolves inside the pack."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
import pytest

from connect_share_learn import guide, pack
from connect_share_learn.pack import BuildContext, BuildOptions, build_pack
from connect_share_learn.spec.load import load_toolkit
from connect_share_learn.spec.model import Settings

from helpers import needs

LETTERS = ("invitation", "thank_you", "follow_up_invitation", "follow_up_reminder", "manager_letter",
           "information_sheet", "results_summary")


# ---------------------------------------------------------------------------------------------
# Helpers


class PageParser(HTMLParser):
    """Collects what the checks need from one page: links, images, ids, headings, scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[dict] = []
        self.ids: set[str] = set()
        self.headings: list[int] = []
        self.tags: list[str] = []
        self.html_lang: str | None = None
        self.code_blocks: dict[str, str] = {}
        self._code_file: str | None = None
        self._code_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag in ("a", "link") and "href" in attrs:
            self.links.append(attrs["href"])
        if tag in ("img", "script", "iframe", "source") and "src" in attrs:
            self.links.append(attrs["src"])
        if tag == "img":
            self.images.append(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "code" and "data-file" in attrs:
            self._code_file, self._code_text = attrs["data-file"], []

    def handle_data(self, data):
        if self._code_file:
            self._code_text.append(data)

    def handle_endtag(self, tag):
        if tag == "code" and self._code_file:
            self.code_blocks[self._code_file] = "".join(self._code_text)
            self._code_file = None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def html_pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def unresolved_links(folder: Path, page: Path, html: str) -> list[str]:
    """Every link or image of ``page`` that is not a file in ``folder`` (or a missing #anchor)."""
    bad = []
    for href in parse(html).links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            bad.append(f"{href} (leaves the pack)")
            continue
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
        if not target.is_file() or folder.resolve() not in target.parents:
            bad.append(f"{href} (no such file in the pack)")
            continue
        if parts.fragment and target.suffix == ".html":
            if parts.fragment not in parse(target.read_text("utf-8")).ids:
                bad.append(f"{href} (no element with id '{parts.fragment}')")
    return bad


def stub_parts(ctx: BuildContext) -> None:
    """Stand-ins for the parts other people are writing, named by the pack's conventions."""
    for course in ctx.courses:
        names = [f"workbooks/{course.id}.xlsx"]
        names += [f"questionnaires/{course.id}/{tp}.docx" for tp in course.tp_ids]
        names += [f"letters/{course.id}/{letter}.docx" for letter in LETTERS + ("welcome_back",)]
        names += [f"online/{course.id}/{tp}.xlsx" for tp in course.tp_ids]
        for name in names:
            path = ctx.folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"stand-in")


def build_with(toolkit, out: Path, parts) -> Path:
    """build_pack with the given parts, then the guide last (whether pack.py registers it yet or not)."""
    original = pack.renderers
    pack.renderers = lambda: [p for p in parts if p[0] != "guide"] + [("guide", guide.render)]
    try:
        return build_pack(toolkit, out, BuildOptions(zip=False)).folder
    finally:
        pack.renderers = original


def render_guide(out: Path, toolkit, stubs: bool = True) -> Path:
    """A quick pack: the codebook, stand-ins for the other parts, the guide and the manifest."""
    from connect_share_learn import codebook

    return build_with(toolkit, out, [("codebook", codebook.render)] + ([("stubs", stub_parts)] if stubs else []))


@pytest.fixture(scope="module")
def built(default_pack) -> Path:
    """The pack as build_pack makes it with every registered part."""
    return default_pack.folder


@pytest.fixture(scope="module")
def stubbed(tmp_path_factory, toolkit) -> Path:
    """A folder holding a stand-in for every part, then the guide."""
    return render_guide(tmp_path_factory.mktemp("stubbed"), toolkit)


# ---------------------------------------------------------------------------------------------
# The pages


def test_every_page_is_written(built, toolkit):
    expected = {p.path for p in guide.guide_pages(list(toolkit.courses.values()))}
    written = {p.relative_to(built).as_posix() for p in html_pages(built)}
    assert written == expected
    assert "index.html" in written and (built / "guide" / "style.css").is_file()
    assert {f"guide/course-{c}.html" for c in toolkit.courses} <= written


@pytest.mark.parametrize("folder_name", ["built", "stubbed"])
def test_every_link_and_image_resolves_to_a_file_in_the_pack(request, folder_name):
    folder = request.getfixturevalue(folder_name)
    problems = {}
    for page in html_pages(folder):
        bad = unresolved_links(folder, page, page.read_text("utf-8"))
        if bad:
            problems[page.relative_to(folder).as_posix()] = bad
    assert not problems


def test_the_index_links_every_page_of_the_guide(built):
    links = set(parse((built / "index.html").read_text("utf-8")).links)
    for page in html_pages(built):
        rel = page.relative_to(built).as_posix()
        assert rel in links, f"index.html does not link {rel}"


def test_pages_are_static_accessible_html(built):
    for page in html_pages(built):
        html = page.read_text("utf-8")
        found = parse(html)
        name = page.name
        assert html.startswith("<!DOCTYPE html>"), name
        assert found.html_lang == "en", name
        assert "script" not in found.tags and "iframe" not in found.tags, name
        assert "style=" not in html, f"{name}: inline style (keep styling in style.css)"
        assert found.headings.count(1) == 1, f"{name}: one h1 per page"
        assert found.headings[0] == 1, f"{name}: a heading comes before the page's h1"
        first_in_main = html.index("<main")
        main_headings = parse(html[first_in_main:]).headings
        assert main_headings[0] == 1, name
        for before, after in zip(main_headings, main_headings[1:]):
            assert after <= before + 1, f"{name}: heading level jumps from h{before} to h{after}"
        assert re.search(r'<a class="skip-link" href="#main">', html) and "main" in found.ids, name
        assert all(img.get("alt", "").strip() for img in found.images), f"{name}: an image without alt text"
        assert not re.search(r'tabindex="[1-9]', html), f"{name}: positive tabindex breaks keyboard order"


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_colours_have_a_contrast_of_at_least_4_5(built):
    css = (built / "guide" / "style.css").read_text("utf-8")
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6});", css))
    pairs = [("text", "background"), ("muted", "background"), ("link", "background"),
             ("link-visited", "background"), ("header-text", "header-background"),
             ("focus-text", "focus-background"), ("text", "table-head-background"),
             ("link", "table-head-background"), ("muted", "table-head-background"),
             ("text", "note-background"), ("link", "note-background")]
    for fg, bg in pairs:
        assert contrast(colours[fg], colours[bg]) >= 4.5, f"--{fg} on --{bg}"
    # The focus indicator must be visible: a distinct outline, not only a colour change.
    assert re.search(r":focus-visible[^{]*\{[^}]*outline: 3px solid", css)


def test_printing_hides_navigation_and_keeps_sections_together(built):
    css = (built / "guide" / "style.css").read_text("utf-8")
    print_css = css[css.index("@media print"):]
    assert re.search(r"\.skip-link, \.site-nav \{ display: none; \}", print_css)
    assert "break-inside: avoid" in print_css


def test_the_guide_is_byte_reproducible(tmp_path, toolkit):
    one = render_guide(tmp_path / "one", toolkit)
    two = render_guide(tmp_path / "two", toolkit)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    for rel in files:
        assert (one / rel).read_bytes() == (two / rel).read_bytes(), rel


# ---------------------------------------------------------------------------------------------
# What the pages say


def test_partnership_name_comes_from_settings_and_is_escaped(tmp_path, project):
    root = project({"settings.yaml": """
        kind: settings
        partnership: Anyshire & <Borough> Safeguarding Children Partnership
        retention: three years after the course
        contact: the Anyshire training team
    """})
    folder = render_guide(tmp_path / "pack", load_toolkit(config=root / "settings.yaml"))
    index = (folder / "index.html").read_text("utf-8")
    assert "Anyshire &amp; &lt;Borough&gt; Safeguarding Children Partnership" in index
    assert "<Borough>" not in index
    privacy = (folder / "guide" / "codes-and-privacy.html").read_text("utf-8")
    assert "three years after the course" in privacy and "the Anyshire training team" in privacy


def test_course_page_lists_the_files_the_pack_holds(stubbed, toolkit):
    course = toolkit.courses["foundation"]
    html = (stubbed / "guide" / "course-foundation.html").read_text("utf-8")
    links = set(parse(html).links)
    for tp in course.tp_ids:
        assert f"../questionnaires/foundation/{tp}.docx" in links
        assert f"../online/foundation/{tp}.xlsx" in links
    for letter in LETTERS + ("welcome_back",):
        assert f"../letters/foundation/{letter}.docx" in links
    assert "the welcome back letter" in html  # a letter the guide has no words for is still listed
    assert "the manager letter letter" not in html and "for the training sub-group" in html
    assert "../workbooks/foundation.xlsx" in links
    assert not any("domestic_abuse" in link for link in links if not link.startswith("../guide/"))


def test_course_page_says_when_a_part_is_not_in_the_pack(built):
    html = (built / "guide" / "course-foundation.html").read_text("utf-8")
    present = {p.relative_to(built).parts[0] for p in built.rglob("*") if p.is_file()}
    for part, words in [("questionnaires", "without printed questionnaires"), ("letters", "without letters"),
                        ("workbooks", "without a workbook"), ("online", "without online forms")]:
        assert (words in html) == (part not in present), part


def test_course_page_shows_time_points_follow_up_weeks_and_scales(built, toolkit):
    for course in toolkit.courses.values():
        html = (built / "guide" / f"course-{course.id}.html").read_text("utf-8")
        for tp in course.time_points:
            assert f"({tp.id})" in html
        if "t3" in course.tp_ids:
            assert f"{toolkit.follow_up_weeks(course)} weeks after the course" in html
        for scale in toolkit.course_scales(course):
            assert f'id="scale-{scale.id}"' in html
        assert ("double baseline" in html) == course.double_baseline


def test_benchmarks_show_only_what_the_data_says(tmp_path, project, toolkit):
    root = project({"benchmarks/extra.yaml": """
        benchmarks:
          - course: foundation
            scale: attitudes
            statistic: d
            pair: t1_t2
            citation: carpenter2010
          - course: foundation
            scale: self_efficacy
            statistic: d
            pair: t1_t2
            value: 0.61
            citation: A Partnership (2025). Our own pooled results, 2023 to 2025. Internal report.
    """})
    custom = load_toolkit(benchmarks=root / "benchmarks")
    folder = render_guide(tmp_path / "pack", custom, stubs=False)
    html = (folder / "guide" / "course-foundation.html").read_text("utf-8")
    research = html[html.index('id="research"'):html.index("</main>")]
    assert "d: <em>the published value is not included here</em>" in research
    assert "d: 0.61" in research
    assert "Our own pooled results, 2023 to 2025" in research
    assert toolkit.citations["carpenter2010"].split()[0] in research
    # Besides the one value given, the only numbers are sample sizes, time points and citations.
    shown = set(re.findall(r"\b\d+\.\d+\b", re.sub(r"<[^>]+>", " ", research)))
    assert shown <= {"0.61"}, shown
    pmh = (folder / "guide" / "course-parental_mental_health.html").read_text("utf-8")
    assert "Scores fell (p &lt; 0.001)" in pmh and "<td>95</td>" in pmh


def test_statistics_page_explains_every_workbook_statistic(built):
    html = (built / "guide" / "statistics.html").read_text("utf-8")
    for name in ("n", "mean", "sd", "alpha", "n_pairs", "mean_change", "sd_change", "t", "df", "p",
                 "ci_low", "ci_high", "d", "dz", "pct_improved"):
        assert f"<code>{name}</code>" in html, name
    assert "(t2 − t1) − (t1 − t0)" in html
    assert html.count("<strong>Does not say:</strong>") >= 10
    for band in ("0.2", "0.5", "0.8"):
        assert band in html


def test_codes_page_uses_the_real_code_parts(built, toolkit):
    html = (built / "guide" / "codes-and-privacy.html").read_text("utf-8")
    code = toolkit.profile.code
    assert f"<code>{code.example}</code>" in html
    for part in code.parts:
        assert part.text.replace("'", "&#39;") in html
    assert "pseudonymised" in html and "fewer than 5" in html


def test_the_guide_never_calls_the_answers_anonymous(built):
    """The answers are linked by a code: pseudonymous. "Anonymous" appears only to say they are not."""
    for page in html_pages(built):
        words = re.sub(r"<[^>]+>", "", page.read_text("utf-8"))
        for match in re.finditer(r"anonymous", words, flags=re.IGNORECASE):
            before = " ".join(words[max(0, match.start() - 40):match.start()].split()) + " "
            assert re.search(r", not |rather than", before), f"{page.name}: ...{before}{match.group(0)}"


def test_the_code_instructions_say_what_to_write_when_a_letter_is_missing_or_accented(toolkit):
    code = toolkit.profile.code
    pattern = re.compile(code.pattern)
    first = code.parts[0].text
    assert "Zoë, write OE" in first and "X for each missing letter" in first
    # What the instructions tell people to write is a code the online form's pattern accepts.
    for written in ("OE07L", "OX07E", "US07L"):
        assert pattern.match(written), written
    assert all(len(part.text) <= 255 for part in code.parts)


def test_scale_titles_in_a_course_are_distinct_and_authors_read_as_english(built, toolkit):
    for course in toolkit.courses.values():
        titles = [scale.title for scale in toolkit.course_scales(course)]
        assert len(titles) == len(set(titles)), course.id
    html = (built / "guide" / "course-foundation.html").read_text("utf-8")
    assert "Written by the connect-share-learn project;" in html
    assert guide.is_description("connect-share-learn project")
    assert not guide.is_description("Anyshire Safeguarding Children Partnership")
    assert not guide.is_description("the training team")


def test_statistics_page_states_d_dz_and_p_accurately(built):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (built / "guide" / "statistics.html").read_text("utf-8")))
    assert "square root of the average of the two variances" in text
    assert "average of the standard deviations" not in text
    assert "correlation above about 0.5" in text and "usually larger than d" not in text
    assert "unlikely explanation" not in text and "if the course made no difference" in text
    assert "compare only the direction of the change and its rough size" in text
    course = re.sub(r"\s+", " ", (built / "guide" / "course-foundation.html").read_text("utf-8"))
    assert "compare only the direction of the change (up or down) and its rough size" in course


def test_the_index_says_exactly_what_the_workbook_refuses(built):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (built / "index.html").read_text("utf-8")))
    assert "numbers that are not on the questionnaire" not in text
    assert "outside the question's range of answers" in text
    assert "on the 0 to 100 ratings, one that falls between the steps of 10 (such as 55)" in text


def test_the_yaml_examples_in_the_guide_are_valid_files(built, tmp_path):
    """A partnership copying the examples gets files `csl validate` and `csl build` accept."""
    examples = parse((built / "guide" / "adapting.html").read_text("utf-8")).code_blocks
    assert {"my-partnership/settings.yaml", "my-partnership/scales/voice_of_child.yaml"} <= set(examples)
    for name, content in examples.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    mine = tmp_path / "my-partnership"
    custom = load_toolkit(scales=mine / "scales", courses=mine / "courses", config=mine / "settings.yaml")
    assert custom.settings.partnership == "Anyshire Safeguarding Children Partnership"
    course_file = next(n for n in examples if "/courses/" in n)
    course = custom.courses[Path(course_file).stem]
    assert all("voice_of_child" in tp.scales for tp in course.time_points)
    knowledge = [s for s in custom.course_scales(course) if s.knowledge]
    assert knowledge and knowledge[0].items[0].id == "ka_1"
    assert "csl validate my-partnership/settings.yaml my-partnership/scales my-partnership/courses" in \
        (built / "guide" / "adapting.html").read_text("utf-8")


def test_templates_are_strict_about_missing_variables(tmp_path):
    (tmp_path / "page.html.j2").write_text("<p>{{ partnership_nmae }}</p>", encoding="utf-8")
    env = guide.environment(tmp_path)
    with pytest.raises(jinja2.UndefinedError, match="partnership_nmae"):
        env.get_template("page.html.j2").render({})
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


# ---------------------------------------------------------------------------------------------
# In a real browser: headless Chromium


def run_chromium(binary: str, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="csl-chromium-") as profile:
        return subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=60)


def top_left_pixel(png: Path, x: int, y: int) -> tuple[int, int, int]:
    """The RGB colour at (x, y) of an 8-bit RGB or RGBA PNG, decoded without a library."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, _, depth, colour_type = header[:4]
    assert depth == 8 and colour_type in (2, 6)
    bpp = 4 if colour_type == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    for row in range(y + 1):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        previous = line
    return tuple(previous[x * bpp:x * bpp + 3])


@pytest.mark.slow
def test_in_chromium_every_link_of_every_page_resolves(stubbed):
    binary = needs("chromium")
    pages = html_pages(stubbed)

    def dom(page: Path) -> str:
        result = run_chromium(binary, "--dump-dom", page.as_uri())
        return result.stdout

    with ThreadPoolExecutor(max_workers=4) as pool:
        doms = list(pool.map(dom, pages))
    for page, html in zip(pages, doms):
        assert "<main" in html, f"chromium did not load {page}"
        assert not unresolved_links(stubbed, page, html), page
        assert len(parse(html).links) == len(parse(page.read_text("utf-8")).links), page


def test_in_chromium_screenshots_show_the_styled_pages(stubbed, tmp_path):
    """Screenshots of the index and a course page; kept in $CSL_SCREENSHOTS if set, for a person to look at."""
    binary = needs("chromium")
    keep = Path(os.environ.get("CSL_SCREENSHOTS", tmp_path))
    keep.mkdir(parents=True, exist_ok=True)
    shots = {"index": stubbed / "index.html", "course-domestic_abuse": stubbed / "guide" / "course-domestic_abuse.html"}

    def shoot(item):
        name, page = item
        out = keep / f"guide-{name}.png"
        run_chromium(binary, f"--screenshot={out}", "--window-size=1200,1600", "--hide-scrollbars", page.as_uri())
        return out

    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(shoot, shots.items()))
    for out in outputs:
        assert out.is_file() and out.stat().st_size > 20_000, f"no screenshot {out}"
        # The header's colour proves the stylesheet was found by its relative link from disk.
        assert top_left_pixel(out, 5, 5) == (0x0B, 0x3D, 0x66), out


def test_in_chromium_a_course_page_prints(stubbed, tmp_path):
    binary = needs("chromium")
    out = tmp_path / "course.pdf"
    run_chromium(binary, "--no-pdf-header-footer", f"--print-to-pdf={out}",
                 (stubbed / "guide" / "course-foundation.html").as_uri())
    data = out.read_bytes() if out.exists() else b""
    assert data.startswith(b"%PDF") and len(data) > 20_000, "chromium did not print the course page"


# ---------------------------------------------------------------------------------------------
# Issue 15: the guide as a coordinator reads it


def words(page: Path | str) -> str:
    """A page's text as a reader sees it: no tags, entities decoded, white space collapsed."""
    html = page.read_text("utf-8") if isinstance(page, Path) else page
    html = re.sub(r"<(?:/?(?:p|li|dt|dd|td|th|tr|caption|h[1-6]|figcaption|blockquote)\b|br)[^>]*>", " ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def course_links(html: str) -> list[str]:
    return re.findall(r'href="[./]*guide/course-([a-z0-9_]+)\.html"', html)


def test_course_types_are_listed_foundation_first_then_by_title(built, toolkit):
    """Not by id (domestic_abuse first): the foundation course, then the specialist courses by title."""
    others = sorted((c for c in toolkit.courses.values() if c.id != "foundation"), key=lambda c: c.title.lower())
    expected = ["foundation"] + [c.id for c in others]
    assert expected[1:] == ["harmful_sexual_behaviour", "domestic_abuse", "parental_mental_health"]
    for page in html_pages(built):
        html = page.read_text("utf-8")
        nav = html[html.index('id="nav-courses"'):html.index("</nav>")]
        assert course_links(nav) == expected, page.name
    index = (built / "index.html").read_text("utf-8")
    table = index[index.index('id="course-types"'):index.index("</table>", index.index('id="course-types"'))]
    assert course_links(table) == expected
    text = words(table)
    assert "The foundation course comes first, then the specialist courses in alphabetical order." in text
    assert [p.course.id for p in guide.guide_pages(list(toolkit.courses.values())) if p.course] == expected


def test_the_settings_example_shows_every_detail_the_build_warns_about(built, tmp_path):
    """The build's warnings send people to the Adapting page's settings file: it must show them all."""
    from connect_share_learn.letter_context import DETAILS

    html = (built / "guide" / "adapting.html").read_text("utf-8")
    example = parse(html).code_blocks["my-partnership/settings.yaml"]
    keys = {line.split(":", 1)[0] for line in example.splitlines() if re.match(r"[a-z_]+:", line)}
    assert set(DETAILS) | {"lawful_basis", "retention", "follow_up_weeks"} <= keys
    path = tmp_path / "settings.yaml"
    path.write_text(example, encoding="utf-8")
    settings = load_toolkit(config=path).settings
    assert settings.dpo_contact and settings.lawful_basis == Settings().lawful_basis
    text = words(html)
    for placeholder in ("[partnership name]", "[data protection officer's contact]"):
        assert placeholder in text


def test_the_default_settings_never_read_as_a_partnership_name(built, tmp_path, project):
    """Without a settings file the guide says "your partnership", never the default's
    "Your Local Safeguarding Children Partnership", and says which details the letters leave unfilled."""
    default = Settings().partnership
    for page in html_pages(built):
        assert default not in page.read_text("utf-8"), page.name
    index = words(built / "index.html")
    assert "This pack helps your partnership find out" in index
    assert "[partnership name]" in index and "[data protection officer's contact]" in index
    for page in html_pages(built):
        assert not re.search(r"[”)][A-Za-z]|\w“|[a-z]\.[A-Z][a-z]", words(page)), f"{page.name}: words run together"
    privacy = words(built / "guide" / "codes-and-privacy.html")
    assert "public task (Article 6(1)(e))" in privacy and "[data protection officer's contact]" in privacy
    assert "the partnership's training team" not in privacy
    # With every detail given, the guide uses them and the note is gone.
    root = project({"settings.yaml": """
        kind: settings
        partnership: Anyshire Safeguarding Children Partnership
        coordinator: Sam Jones
        contact: training@anyshire.example
        return_address: Training Team, County Hall, Anyshire
        dpo_contact: dpo@anyshire.example
    """})
    folder = render_guide(tmp_path / "pack", load_toolkit(config=root / "settings.yaml"))
    index = words(folder / "index.html")
    assert "This pack helps Anyshire Safeguarding Children Partnership find out" in index and "[" not in index
    privacy = (folder / "guide" / "codes-and-privacy.html").read_text("utf-8")
    assert "dpo@anyshire.example" in privacy and "training@anyshire.example" in privacy


def test_the_yaml_examples_keep_their_shape_on_screen(built):
    """Code is never wrapped by the browser (a wrapped YAML line looks like a new key), so every line
    of an example file fits a line of the page, and a longer one scrolls sideways in its box."""
    examples = parse((built / "guide" / "adapting.html").read_text("utf-8")).code_blocks
    for name, content in examples.items():
        for line in content.splitlines():
            assert len(line) <= 80, f"{name}: {line}"
    css = (built / "guide" / "style.css").read_text("utf-8")
    screen = css[:css.index("@media print")]
    pre = re.search(r"\npre \{([^}]*)\}", screen).group(1)
    assert "white-space: pre;" in pre and "overflow-x: auto" in pre
    assert re.search(r"pre \{[^}]*white-space: pre-wrap", css[css.index("@media print"):])
    assert guide.yaml_scalar("x" * 61).startswith(">\n") and guide.yaml_scalar("Short: text") == "'Short: text'"


GUIDE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "guide"
PICTURES = ("workbook-entry.png", "workbook-results.png", "workbook-charts.png")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_guide_shows_pictures_of_the_workbook_with_alt_text(built):
    """An entry sheet, the Results sheet and its charts, as committed beside the templates."""
    html = (built / "index.html").read_text("utf-8")
    images = {img["src"]: img for img in parse(html).images}
    for name in PICTURES:
        committed = (GUIDE_TEMPLATES / name).read_bytes()
        assert (built / "guide" / name).read_bytes() == committed, name
        img = images[f"guide/{name}"]
        assert len(img["alt"]) > 80 and "example workbook" in img["alt"], name
        assert (int(img["width"]), int(img["height"])) == png_size(committed), name
        assert f'<a href="guide/{name}"><img' in html, f"{name}: not opened full size from the page"
    css = (built / "guide" / "style.css").read_text("utf-8")
    assert re.search(r"\.screenshot img \{[^}]*max-width: 100%; height: auto;", css)


def test_the_pictures_are_small():
    pngs = sorted(GUIDE_TEMPLATES.glob("*.png"))
    assert {p.name for p in pngs} >= set(PICTURES)
    assert sum(p.stat().st_size for p in pngs) <= 350_000
    for png in pngs:
        width, height = png_size(png.read_bytes())
        assert width <= 1100 and height <= 900, png.name


def test_the_guide_says_use_a_fresh_workbook_and_what_the_example_is_for(built):
    index = words(built / "index.html")
    assert "Use a fresh copy of the workbook for each run of a course." in index
    assert "csl demo --course foundation writes build/example-foundation.xlsx" in index
    assert "made-up answers" in index and "never report its numbers" in index
    assert "csl analyse and csl export leave example workbooks out." in index
    for course in ("foundation", "domestic_abuse"):
        page = words(built / "guide" / f"course-{course}.html")
        assert "Use a fresh copy of the workbook for each run of a course" in page
        assert f"csl demo --course {course}" in page and "never use it for real answers or for reporting" in page
    assert 'href="../index.html#example-workbook"' in (built / "guide" / "course-foundation.html").read_text("utf-8")


def test_changed_guide_templates_are_laid_over_the_defaults(tmp_path, toolkit):
    """--templates with one changed guide page: the rest of the guide and its pictures still come."""
    mine = tmp_path / "my-templates" / "guide"
    mine.mkdir(parents=True)
    index = (GUIDE_TEMPLATES / "index.html.j2").read_text("utf-8")
    (mine / "index.html.j2").write_text(index.replace("The timeline, step by step", "Our timeline"), "utf-8")
    original = pack.renderers
    pack.renderers = lambda: [("guide", guide.render)]
    try:
        folder = build_pack(toolkit, tmp_path / "pack", BuildOptions(zip=False, templates=tmp_path / "my-templates")).folder
    finally:
        pack.renderers = original
    assert "Our timeline" in (folder / "index.html").read_text("utf-8")
    assert (folder / "guide" / "statistics.html").is_file()
    for name in PICTURES:
        assert (folder / "guide" / name).is_file(), name


def test_in_chromium_no_page_scrolls_sideways_on_a_phone(stubbed, tmp_path):
    """At 390 pixels wide (a phone) every page fits: wide tables scroll in their own box."""
    binary = needs("chromium")
    pages = html_pages(stubbed)
    frames = "".join(f'<iframe src="{p.as_uri()}" width="390" height="800"></iframe>' for p in pages)
    probe = tmp_path / "probe.html"
    probe.write_text(f"""<!DOCTYPE html><html><body>{frames}<pre id="out"></pre><script>
      window.onload = () => {{
        document.getElementById("out").textContent = [...document.querySelectorAll("iframe")].map(f => {{
          const doc = f.contentDocument.documentElement;
          return f.src.split("/").pop() + " " + doc.scrollWidth + " " + doc.clientWidth;
        }}).join("\\n");
      }};
    </script></body></html>""", encoding="utf-8")
    result = run_chromium(binary, "--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom",
                          probe.as_uri())
    found = re.search(r'<pre id="out">([^<]*)</pre>', result.stdout)
    rows = [line.split() for line in unescape(found.group(1)).splitlines()] if found else []
    assert len(rows) == len(pages), result.stdout[-2000:]
    wide = [f"{name}: {scroll} px wide in {client} px" for name, scroll, client in rows if int(scroll) > int(client)]
    assert not wide


def test_course_pages_read_in_the_order_things_happen(stubbed):
    """Letters in the order they are sent; a later time point in a sentence keeps a small letter."""
    html = (stubbed / "guide" / "course-domestic_abuse.html").read_text("utf-8")
    letters = re.findall(r'href="\.\./letters/domestic_abuse/([a-z_]+)\.docx"', html)
    assert letters == ["invitation", "information_sheet", "thank_you", "follow_up_invitation", "follow_up_reminder",
                       "manager_letter", "results_summary", "welcome_back"]
    text = words(html)
    assert "Start of course (t1) to end of course (t2)" in text and "to End of course" not in text
    assert "Registration (t0) to start of course (t1): the drift before any training" in text
    index = words(stubbed / "index.html")
    assert "Registration (t0), start of course (t1), end of course (t2), follow-up (t3) (optional)" in index


def test_the_formats_table_names_each_rating_by_its_range_and_its_labelled_points(built):
    text = words(built / "guide" / "adapting.html")
    assert "0 to 100 in steps of 10: 0 = Cannot do at all; 50 = Moderately can do; 100 = Highly certain can do" in text
    assert "10 = 10" not in text
    assert "1 to 5: 1 = Strongly disagree; 2 = Disagree; 3 = Don't know; 4 = Agree; 5 = Strongly agree" in text
    assert "1 = True; 2 = False; 9 = Don't know" in text


def test_the_p_value_is_read_right_for_every_comparison(built):
    """Before the course there is no course to make no difference; after it, the question is whether scores held."""
    text = words(built / "guide" / "statistics.html")
    assert "if people's scores did not change on average between the two time points" in text
    assert "from registration to the start, that scores did not drift in the weeks before the course" in text
    assert "from the end of the course to the follow-up, that scores stayed where the course left them" in text
    assert text.count("if the course made no difference") == 1


def test_a_template_changed_after_it_was_compiled_is_compiled_afresh(tmp_path):
    """The guide's templates are compiled once per process (guide.prepare, during the build), but
    a template whose source changed since, at the same path, renders its new text."""
    (tmp_path / "page.html.j2").write_text("<p>{% trans %}First{% endtrans %}</p>", encoding="utf-8")
    assert guide.environment(tmp_path).get_template("page.html.j2").render() == "<p>First</p>"
    (tmp_path / "page.html.j2").write_text("<p>{% trans %}Second{% endtrans %}</p>", encoding="utf-8")
    assert guide.environment(tmp_path).get_template("page.html.j2").render() == "<p>Second</p>"
