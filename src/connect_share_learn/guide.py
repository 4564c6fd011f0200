"""The guide: static HTML pages on running an evaluation, written from the model and the pack.

``index.html`` and ``guide/*.html`` are rendered from the Jinja2 templates in
``templates/guide/``; all wording lives there, and the pictures of the workbook beside them
(``tools/guide_screenshots.py`` makes them) are copied as they are. The guide runs last among the pack's parts
and links only to files the pack folder holds when it runs (plus ``MANIFEST.json``, which
the pack always writes after every part), so every link resolves. Output is byte-reproducible:
no dates, and every listing is sorted or in the specification's order.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from connect_share_learn import __version__
from connect_share_learn.defaults import default_dir
from connect_share_learn.errors import InputError
from connect_share_learn.letter_context import unset, wording
from connect_share_learn.logo import read as read_logo
from connect_share_learn.spec.model import Course, Settings, text
from connect_share_learn.wording import (
    MARKING, environment as wording_environment, language as language_of, load as load_wording, translating,
)

TEMPLATE_FOLDER = "guide"
STYLESHEET = "style.css"
# Written by build_pack after every part has run; the guide may link to it.
ALWAYS_PRESENT = ("MANIFEST.json",)
_TIME_POINT = re.compile(r"(?:^|[_-])(t[0-3])(?:$|[_-])")
# The longest line of a YAML example: a code box shows about 80 characters (style.css).
YAML_WIDTH = 76
# The course every partnership runs for all agencies: listed before the specialist courses.
FOUNDATION = "foundation"


@dataclass(frozen=True)
class PackFile:
    """A file of the pack the guide links to, as a path relative to the pack folder."""

    path: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def suffix(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""

    @property
    def time_point(self) -> str | None:
        """The time point a file is for (``t1`` in ``t1.docx`` or ``t1_large_print.pdf``)."""
        match = _TIME_POINT.search(self.stem)
        return match.group(1) if match else None


@dataclass(frozen=True)
class Page:
    """One page of the guide: which page it is (``key``, its path in the first language), the
    template that writes it, and the folder of its language's edition ("" for the first)."""

    key: str
    template: str
    course: Course | None = None
    folder: str = ""

    @property
    def path(self) -> str:
        """Where the page is written, relative to the pack folder."""
        return self.folder + self.key.removeprefix("guide/") if self.folder else self.key

    @property
    def root(self) -> str:
        """The relative path from this page back to the pack folder."""
        return "../" * self.path.count("/")

    def link(self, key: str) -> str:
        """The relative address from this page to page ``key`` of the same language."""
        return self.root + Page(key, "", folder=self.folder).path


# ---------------------------------------------------------------------------------------------
# Public


def render(ctx) -> None:
    """Pack part: ``index.html`` and ``guide/`` (pages, stylesheet and the partnership's logo),
    in the edition's language; a bilingual edition's later languages in ``guide/<language>/``."""
    templates = template_folder()
    files = pack_files(ctx.folder)
    logo = read_logo(ctx.toolkit.settings)
    editions = ctx.toolkit.settings.editions
    written = {}
    for language in editions:
        folder = "" if language == editions[0] else f"guide/{language}/"
        written.update(_edition(ctx, templates, files, logo, language, folder))
    (ctx.folder / "guide").mkdir(parents=True, exist_ok=True)
    for path, html in sorted(written.items()):
        (ctx.folder / path).parent.mkdir(parents=True, exist_ok=True)
        (ctx.folder / path).write_bytes(html.encode("utf-8"))
    for name in [STYLESHEET, *pictures(templates)]:
        (ctx.folder / "guide" / name).write_bytes((templates / name).read_bytes())
    if logo:
        (ctx.folder / "guide" / f"logo.{logo.extension}").write_bytes(logo.data)


def _edition(ctx, templates: Path, files: list[PackFile], logo, language: str, folder: str) -> dict[str, str]:
    """Every page of the guide in ``language``, by path, written into ``folder``."""
    env = environment(templates, language)
    settings = ctx.toolkit.settings
    courses = reading_order(ctx.courses, language)
    pages = guide_pages(courses, language, folder)
    own = language_of(language)
    shared = {
        "logo": f"logo.{logo.extension}" if logo else None,
        "pictures": pictures(templates),
        "toolkit": ctx.toolkit,
        "settings": settings,
        # What the settings file left out, and what the letters print instead (letter_context).
        "unset": unset(settings),
        "placeholders": wording(language).unset,
        "lawful_basis_given": "lawful_basis" in settings.model_fields_set,
        "default_settings": Settings(),
        "courses": courses,
        "pages": pages,
        "files": files,
        "version": __version__,
        "spec_hash": ctx.toolkit.spec_hash,
        "time_point_names": load_wording("common", language)["time_points"],
        "lang": language,
        "direction": own.direction,
        # The language's own font, where it is not the stylesheet's (languages.yaml).
        "font": own.font if own.font != language_of("default").font else None,
        "present_parts": sorted({f.path.split("/")[0] for f in files}),
    }
    written = {}
    for page in pages:
        course_files = _course_files(files, page.course.id) if page.course else {}
        # The same page in each other language of the edition, for the link between them.
        others = [(code, language_of(code).name, page.root + Page(page.key, "", folder=_folder(settings, code)).path)
                  for code in settings.editions if code != language]
        links = {f"to_{name}": page.link(key) for name, key in TOPICS.items()}
        written[page.path] = _render_page(env, templates, page, dict(
            shared, page=page, root=page.root, course=page.course, course_files=course_files, link=page.link,
            other_languages=others, **links))
    return written


def _folder(settings, language: str) -> str:
    return "" if language == settings.editions[0] else f"guide/{language}/"


# The topic pages, by the name a template links to them with (``to_statistics``).
TOPICS = {"index": "index.html", "statistics": "guide/statistics.html", "privacy": "guide/codes-and-privacy.html",
          "adapting": "guide/adapting.html"}


def reading_order(courses: list[Course], language: str = "en") -> list[Course]:
    """Course types as a coordinator looks for them: the foundation course (id ``foundation``)
    first, then the specialist courses in alphabetical order of their titles."""
    return sorted(courses, key=lambda c: (c.id != FOUNDATION, text(c.title, language).casefold(), c.id))


def guide_pages(courses: list[Course], language: str = "en", folder: str = "") -> list[Page]:
    """Every page of the guide in reading order: home, topics, then one page per course type
    (in :func:`reading_order`); in ``folder`` for a later language of a bilingual edition."""
    courses = reading_order(courses, language)
    pages = [Page(key, template, folder=folder) for key, template in (
        ("index.html", "index.html.j2"),
        ("guide/statistics.html", "statistics.html.j2"),
        ("guide/codes-and-privacy.html", "codes_and_privacy.html.j2"),
        ("guide/adapting.html", "adapting.html.j2"),
    )]
    return pages + [Page(f"guide/course-{c.id}.html", "course.html.j2", c, folder) for c in courses]


def template_folder() -> Path:
    """The guide's templates: the defaults, with the files of ``--templates`` laid over them
    while a pack is built (see :func:`connect_share_learn.pack.templates_laid_over`)."""
    return default_dir("templates") / TEMPLATE_FOLDER


def pictures(folder: Path) -> dict[str, tuple[int, int]]:
    """The guide's pictures, the PNG files beside its templates (made by
    ``tools/guide_screenshots.py``), by name, with their width and height in pixels."""
    found = {}
    for path in sorted(folder.glob("*.png")):
        head = path.read_bytes()[:24]
        if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
            found[path.name] = (int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big"))
    return found


class _Compiled(jinja2.BytecodeCache):
    """The guide's templates compiled once in this process, whatever the edition's language (a
    template's translations are looked up as it renders). A template whose source changed (one
    laid over by --templates) is compiled afresh: each is keyed by its file and checked by its
    source's checksum."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Compiled()


def prepare(ctx) -> None:
    """Compile the guide's templates before the rest of the pack is written (the build does this
    while other processes write the other parts), so that :func:`render` only fills them in. A
    template that does not compile is left for :func:`render` to report."""
    folder = template_folder()
    env = environment(folder, ctx.toolkit.settings.language)
    for path in sorted(folder.glob("*.html.j2")):
        try:
            env.get_template(path.name)
        except jinja2.TemplateError:
            pass


def environment(folder: Path, language: str = "en") -> jinja2.Environment:
    """A strict, autoescaping environment: a missing variable is an error, never a blank; the
    messages the templates mark are in ``language``."""
    env = translating(wording_environment(jinja2.FileSystemLoader(str(folder)), autoescape=True,
                                          bytecode_cache=_COMPILED, **MARKING), "guide", language)
    env.filters["t"] = lambda value: text(value, language)
    env.filters["yaml"] = yaml_scalar
    env.filters["yaml_flow"] = yaml_flow
    env.tests["description"] = is_description
    env.filters["labelled_points"] = lambda fmt: labelled_points(fmt, language)
    return env


def is_description(author: str) -> bool:
    """Whether an author reads as a description ("connect-share-learn project": lower case), which
    a language words with its article ("Written by the …"), rather than a proper name ("Anyshire
    Partnership") or one that has its article already ("the training team")."""
    author = author.strip()
    return author[:1].islower() and not author.lower().startswith("the ")


def labelled_points(fmt, language: str = "en") -> list[tuple[int, str]]:
    """A rating format's points whose label says more than their number, with the words alone:
    (0, "Cannot do at all") for "0 Cannot do at all"; "10" alone is left out."""
    points = []
    for option in fmt.answers():
        label, number = text(option.label, language).strip(), str(option.code)
        words = label[len(number):].strip() if label.startswith(number + " ") else label
        if words != number:
            points.append((option.code, words))
    return points


def yaml_scalar(value, indent: int = 2) -> str:
    """``value`` as a YAML value for a top-level key: bare if YAML reads it back as written, else
    quoted, when short; else a folded block (``>``) of lines that fit the guide's code boxes, as
    the default files write long text."""
    value = str(value)
    dumped = yaml.safe_dump(value, default_flow_style=True, width=float("inf"), allow_unicode=True)
    dumped = dumped.removesuffix("\n").removesuffix("\n...")
    if "\n" in value or len(value) <= 60:
        return dumped
    return ">\n" + textwrap.fill(value, width=YAML_WIDTH, initial_indent=" " * indent, subsequent_indent=" " * indent)


def yaml_flow(values, column: int) -> str:
    """A YAML flow sequence (``[a, b, c]``) starting at ``column``, continued on lines indented
    under its first item so that every line fits the guide's code boxes."""
    flow = "[" + ", ".join(str(v) for v in values) + "]"
    return textwrap.fill(flow, width=YAML_WIDTH, initial_indent=" " * column, subsequent_indent=" " * (column + 1),
                         break_long_words=False, break_on_hyphens=False)[column:]


def pack_files(folder: Path) -> list[PackFile]:
    """Every file the pack folder holds now (and the manifest), sorted by path."""
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    present.update(ALWAYS_PRESENT)
    return [PackFile(p) for p in sorted(present)]


# ---------------------------------------------------------------------------------------------
# Private


def _course_files(files: list[PackFile], course_id: str) -> dict[str, list[PackFile]]:
    """The course's files by kind, found in the folder by the pack's naming conventions."""

    def under(prefix: str) -> list[PackFile]:
        return [f for f in files if f.path.startswith(prefix) and "/" not in f.path[len(prefix):]]

    return {
        "workbooks": [f for f in under("workbooks/") if f.stem == course_id],
        "questionnaires": under(f"questionnaires/{course_id}/"),
        "letters": under(f"letters/{course_id}/"),
        "online": under(f"online/{course_id}/"),
    }


def _render_page(env: jinja2.Environment, folder: Path, page: Page, context: dict) -> str:
    try:
        return env.get_template(page.template).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(folder / (exc.name or page.template), f"the guide template has a syntax error: {exc.message}",
                         "correct the template", line=exc.lineno) from exc
    except jinja2.TemplateNotFound as exc:
        raise InputError(folder / exc.name, "the guide template is missing",
                         "restore it from the default templates") from exc
    except jinja2.UndefinedError as exc:
        raise InputError(folder / page.template, f"the guide template uses something that is not defined ({exc.message})",
                         "use only the variables the default templates use") from exc
