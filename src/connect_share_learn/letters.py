"""Letters to participants: docxtpl templates filled with the partnership's settings.

The pack holds each letter addressed "Dear colleague"; the mail merge (``csl letters``)
writes one letter per person on a participant list and one combined document.

Each template is parsed once (docxtpl's clean-up of Word's XML, then one compiled Jinja
template per part), and each letter is rendered from that: far faster than loading the
template again for every person, and identical in result for the tags docxtpl documents
(``{{ }}``, ``{% %}``, ``{%p %}``, ``{%tr %}``). Jinja runs with ``StrictUndefined`` and
autoescaping, so a missing setting is an error and a name with ``&`` or ``<`` comes out as
written.

One module though long: the pack's letters and the mail merge share the parsed templates, the
languages' choice of template and the checks of what fills them; the layout of a letter's
source is apart, in :mod:`.letter_layout`, and what fills it in :mod:`.letter_context`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, TemplateError, TemplateSyntaxError, meta

from connect_share_learn import letter_context, letter_layout, wording
from connect_share_learn.documents import add_to_zip, core_properties, document_entries, to_pdf, write_docx, zip_bytes
from connect_share_learn.errors import InputError, UsageError
from connect_share_learn.files import Manifest, State, sha256, staged
from connect_share_learn.letter_context import PERSONAL, context_for, letters_dir, personal_context
from connect_share_learn.logo import EMU_PER_CM, Logo, read as read_logo
from connect_share_learn.participants import ParticipantList, read_participants
from connect_share_learn.spec.toolkit import Toolkit
from connect_share_learn.spec.model import Course, text
from connect_share_learn.wording import ENGLISH, environment

# The parts of a .docx that may hold template tags.
_TEMPLATE_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_PARAGRAPH = re.compile(r"<w:p([ >])")
_TAGS = re.compile(r"<[^>]+>")
LARGE_PRINT_POINTS = 16
PAGE_BREAK = '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/></w:pPr>' \
             '<w:r><w:br w:type="page"/></w:r></w:p>'


def template_paths(folder: Path | None = None) -> list[Path]:
    """Every letter template, by file name."""
    folder = folder or letters_dir()
    return sorted(p for p in folder.glob("*.docx") if not p.name.startswith(("~$", ".")))


def find_template(name: str, folder: Path | None = None) -> Path:
    paths = {p.stem: p for p in template_paths(folder)}
    if name.endswith(".docx"):
        name = name[:-5]
    if name not in paths:
        raise UsageError(f"there is no letter '{name}'; choose one of: {', '.join(paths)}")
    return paths[name]


def jinja_env(language: str = "en") -> Environment:
    """Strict and escaping: a missing variable is an error, text is XML-safe. The rules that fit
    a setting's text to its place in a sentence are the language's (letters.yaml)."""
    env = environment(autoescape=True)
    env.filters.update(letter_context.filters(letter_context.wording(language)))
    return env


# ---------------------------------------------------------------------------------------------
# One template, parsed once


@dataclass
class LetterTemplate:
    """A docxtpl template, ready to render many times."""

    path: Path
    entries: list[tuple[str, bytes]]
    parts: dict[str, object] = field(default_factory=dict)  # entry name -> compiled template
    variables: set[str] = field(default_factory=set)
    _bases: dict = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.path.stem

    @classmethod
    def load(cls, path: Path, env: Environment | None = None, large_print: bool = False,
             logo: Logo | None = None, entries: list[tuple[str, bytes]] | None = None) -> "LetterTemplate":
        """The template at ``path`` (or made of ``entries``: a letter laid out in another language,
        ``path`` then naming its source)."""
        from docxtpl import DocxTemplate

        env = env or jinja_env()
        if entries is None:
            try:
                with zipfile.ZipFile(path) as archive:
                    entries = [(i.filename, archive.read(i.filename)) for i in archive.infolist()]
            except (OSError, zipfile.BadZipFile) as exc:
                raise InputError(path, f"the letter template cannot be opened ({exc})",
                                 "save it again from Word as a .docx document") from exc
        if large_print:
            entries = enlarge(entries)
        if logo:
            entries = with_logo(entries, logo)
        patcher = DocxTemplate.__new__(DocxTemplate)  # patch_xml needs no loaded document
        template = cls(path, entries)
        for name, data in entries:
            if not _TEMPLATE_PART.match(name):
                continue
            xml = data.decode("utf-8")
            if "{" not in xml:
                continue
            # One paragraph per line, as docxtpl does, so a line number is a paragraph number.
            source = _PARAGRAPH.sub(r"\n<w:p\1", patcher.patch_xml(xml))
            source = letter_context.fit_to_sentences(source)
            try:
                template.parts[name] = env.from_string(source)
                template.variables |= meta.find_undeclared_variables(env.parse(source))
            except TemplateSyntaxError as exc:
                lines = source.splitlines()[:exc.lineno]
                number = sum(1 for line in lines if _PARAGRAPH.match(line))
                here = _TAGS.sub("", lines[-1]) if lines else ""
                raise InputError(path, f"paragraph {max(number, 1)} (\"{here[:60]}\") has a template "
                                 f"error: {exc.message}", "correct the {{ }} or {% %} tag in Word") from exc
        return template

    def render_parts(self, context: dict) -> dict[str, str]:
        out = {}
        for name, compiled in self.parts.items():
            try:
                xml = compiled.render(context)
            except TemplateError as exc:
                variable = re.search(r"'([^']+)' is undefined", str(exc))
                what = f"the variable '{variable.group(1)}' is not provided" if variable else str(exc)
                raise InputError(self.path, f"{what}",
                                 "add it to the settings file, add a column of that name to the participant list, "
                                 "or remove it from the template (csl letters --check lists them)") from exc
            xml = xml.replace("\n<w:p", "<w:p")
            out[name] = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return out

    def entries_for(self, rendered: dict[str, str], title: str, author: str, created) -> list[tuple[str, bytes]]:
        out = []
        for name, data in self.entries:
            if name in rendered:
                data = rendered[name].encode("utf-8")
            elif name == "docProps/core.xml":
                data = core_properties(title, author, created)
            out.append((name, data))
        return out

    def write(self, context: dict, path: Path, title: str, author: str, created) -> dict[str, str]:
        """Render one letter to ``path``; returns the rendered XML parts."""
        rendered = self.render_parts(context)
        key = (title, author, created)
        if key not in self._bases:
            # Everything but the rendered parts, zipped once and shared by every letter.
            fixed = [(n, d) for n, d in self.entries_for({}, title, author, created) if n not in self.parts]
            self._bases = {key: zip_bytes(fixed, created)}
        add_to_zip(self._bases[key], [(n, x.encode("utf-8")) for n, x in rendered.items()], path, created)
        return rendered


_SIZE = re.compile(r'(<w:sz(?:Cs)? w:val=")(\d+)(")')


def enlarge(entries: list[tuple[str, bytes]], body_points: int = LARGE_PRINT_POINTS) -> list[tuple[str, bytes]]:
    """The same document in large print: every font size scaled so body text is ``body_points``."""
    styles = dict(entries).get("word/styles.xml", b"").decode("utf-8")
    normal = re.search(r'w:styleId="Normal".*?</w:style>', styles, flags=re.DOTALL)
    found = _SIZE.search(normal.group(0)) if normal else None
    found = found or _SIZE.search(styles.split("</w:docDefaults>")[0])
    body = int(found.group(2)) if found else 22  # Word's default: 11 pt, in half-points
    factor = 2 * body_points / body

    def scale(match):
        return f"{match.group(1)}{max(round(int(match.group(2)) * factor), 2 * body_points)}{match.group(3)}"

    out = []
    for name, data in entries:
        if name == "word/styles.xml" or _TEMPLATE_PART.match(name):
            data = _SIZE.sub(scale, data.decode("utf-8")).encode("utf-8")
        out.append((name, data))
    return out


_DRAWING_ID = re.compile(r'(<wp:docPr [^>]*?id=")(\d+)"')
LOGO_PARAGRAPH = (
    '<w:p><w:pPr><w:spacing w:before="0" w:after="120"/><w:jc w:val="right"/></w:pPr><w:r><w:drawing>'
    '<wp:inline distT="0" distB="0" distL="0" distR="0" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{id}" name="Logo" descr="{{{{ partnership }}}} logo"/>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:nvPicPr><pic:cNvPr id="0" name="{name}"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:embed="{rel}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
    '<a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
    '</wp:inline></w:drawing></w:r></w:p>'
)
LOGO_HEIGHT_CM, LOGO_MAX_WIDTH_CM = 1.8, 7.0


def with_logo(entries: list[tuple[str, bytes]], logo: Logo) -> list[tuple[str, bytes]]:
    """The same document with the partnership's logo above everything else, on the right."""
    name, rel = f"csl-logo.{logo.extension}", "rIdCslLogo"
    width, height = logo.size(LOGO_HEIGHT_CM, LOGO_MAX_WIDTH_CM)
    out = []
    for part, data in entries:
        if part == "word/document.xml":
            xml = data.decode("utf-8")
            taken = [int(n) for _, n in _DRAWING_ID.findall(xml)]
            paragraph = LOGO_PARAGRAPH.format(cx=round(width * EMU_PER_CM), cy=round(height * EMU_PER_CM),
                                              id=max(taken, default=0) + 1, name=name, rel=rel)
            body = xml.index(">", xml.index("<w:body")) + 1
            data = (xml[:body] + paragraph + xml[body:]).encode("utf-8")
        elif part == "word/_rels/document.xml.rels":
            data = data.replace(b"</Relationships>", f'<Relationship Id="{rel}" Type="http://schemas.openxmlformats.org/'
                                f'officeDocument/2006/relationships/image" Target="media/{name}"/>'
                                "</Relationships>".encode())
        elif part == "[Content_Types].xml" and f'Extension="{logo.extension}"'.encode() not in data:
            data = data.replace(b"</Types>", f'<Default Extension="{logo.extension}" '
                                f'ContentType="{logo.content_type}"/></Types>'.encode())
        out.append((part, data))
    return out + [(f"word/media/{name}", logo.data)]


def joined(bodies: list[str], sections: bool = False) -> str:
    """The first document's XML holding the bodies of all of them, each starting on a new page;
    with ``sections``, each in a section of its own whose pages are numbered from 1."""
    first = bodies[0]
    start = first.index(">", first.index("<w:body")) + 1
    inner = []
    for xml in bodies:
        body_start = xml.index(">", xml.index("<w:body")) + 1
        section = xml.rfind("<w:sectPr")
        inner.append(xml[body_start:section])
    end = first.rfind("<w:sectPr")
    last = first[end:]
    if sections:
        last = _numbered_from_one(last)
        closing = last[:last.index("</w:body>")]
        # A section ends with a paragraph holding its properties: one point high, so it adds no page.
        breaker = f'<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>{closing}</w:pPr></w:p>'
        merged = first[:start] + breaker.join(inner) + last
    else:
        merged = first[:start] + PAGE_BREAK.join(inner) + last
    numbers = itertools.count(1)
    return _DRAWING_ID.sub(lambda m: f'{m.group(1)}{next(numbers)}"', merged)  # Word needs each id once


_AFTER_PAGE_NUMBERS = re.compile(r"<w:(cols|formProt|vAlign|noEndnote|titlePg|textDirection|bidi|rtlGutter|docGrid|"
                                 r"printerSettings|sectPrChange)[ />]|</w:sectPr>")


def _numbered_from_one(section: str) -> str:
    """A section's properties (``<w:sectPr …>…</w:sectPr>`` and what follows) with its pages numbered from 1."""
    if "<w:pgNumType" in section:
        return re.sub(r"<w:pgNumType\b[^>]*?/>", '<w:pgNumType w:start="1"/>', section, count=1)
    at = _AFTER_PAGE_NUMBERS.search(section).start()
    return section[:at] + '<w:pgNumType w:start="1"/>' + section[at:]


def combine(template: LetterTemplate, bodies: list[str], path: Path, title: str, author: str, created,
            sections: bool = False) -> None:
    """One document holding every letter, each starting on a new page (with ``sections``, as
    bilingual letters are, each one's pages numbered from 1)."""
    write_docx(template.entries_for({"word/document.xml": joined(bodies, sections)}, title, author, created), path,
               created)


# ---------------------------------------------------------------------------------------------
# A letter in an edition's languages


def template_for(name: str, language: str, large_print: bool = False, logo: Logo | None = None) -> LetterTemplate:
    """The letter's template in ``language``. English: the letters folder's ``<name>.docx`` (the
    toolkit's, or the partnership's own laid over it). Another language: the partnership's own
    ``<language>/<name>.docx`` if the templates folder has one, else the letter's wording source
    (``source/<name>.md``) laid out with each text translated; a letter with no source (one of the
    partnership's own) is printed from its .docx as written."""
    folder = letters_dir()
    env = jinja_env(language)
    own = folder / language / f"{name}.docx"
    source = letter_layout.source_path(folder, name)
    if language == ENGLISH or (not own.is_file() and not source.is_file()):
        return LetterTemplate.load(find_template(name), env, large_print=large_print, logo=logo)
    if own.is_file():
        return LetterTemplate.load(own, env, large_print=large_print, logo=logo)
    entries = laid_out(folder, name, language)
    return LetterTemplate.load(source, env, large_print=large_print, logo=logo, entries=entries)


LAID_OUT = dt.datetime(2026, 1, 1)  # a laid-out template's own date, replaced in every letter made from it


def laid_out(folder: Path, letter: str, language: str) -> list[tuple[str, bytes]]:
    """The letter's template in ``language``, as the entries of its .docx: its source laid out
    with each text translated (English where the language has none; see ``wording.gaps``) in
    the language's font."""
    path = letter_layout.source_path(folder, letter)
    said = wording.load(wording.LETTERS, language).get(letter, {})
    catalogue = wording.catalogue_file(wording.LETTERS, language)

    def say(place: str, english: str) -> str:
        translated = said.get(place, english)
        if letter_layout.tags(translated) != letter_layout.tags(english):
            raise InputError(catalogue, f"the translation of {letter}.{place} does not keep the English's tags "
                             f"({', '.join(letter_layout.tags(english)) or 'none'})",
                             "keep every {{ … }} and {% … %} of the English, as written, in the translation")
        return translated

    document = letter_layout.lay_out(letter, path.read_text(encoding="utf-8"), say, wording.language(language).font)
    return document_entries(document, letter, "connect-share-learn", LAID_OUT)


@dataclass
class Letter:
    """One letter in the languages of an edition, the first first: a template each. A bilingual
    letter is the whole letter in each language in turn, each starting on a new page, numbered
    from 1 (side by side, a one-page letter would take two pages of narrow columns)."""

    templates: list[tuple[str, LetterTemplate]]  # (language, template)

    @classmethod
    def load(cls, name: str, languages: tuple[str, ...], large_print: bool = False,
             logo: Logo | None = None) -> "Letter":
        return cls([(language, template_for(name, language, large_print, logo)) for language in languages])

    @property
    def first(self) -> LetterTemplate:
        return self.templates[0][1]

    @property
    def name(self) -> str:
        return self.first.name

    @property
    def path(self) -> Path:
        return self.first.path

    @property
    def variables(self) -> set[str]:
        return set().union(*(t.variables for _, t in self.templates))

    def write(self, contexts: dict[str, dict], path: Path, title: str, author: str, created) -> dict[str, str]:
        """Render the letter to ``path``, each language with its own ``contexts[language]``;
        returns the rendered XML parts (the first language's, its body holding every language)."""
        if len(self.templates) == 1:
            language, template = self.templates[0]
            return template.write(contexts[language], path, title, author, created)
        parts = [template.render_parts(contexts[language]) for language, template in self.templates]
        rendered = dict(parts[0], **{"word/document.xml": joined([p["word/document.xml"] for p in parts], sections=True)})
        write_docx(self.first.entries_for(rendered, title, author, created), path, created)
        return rendered


# ---------------------------------------------------------------------------------------------
# The pack: every letter, "Dear colleague"


def render(ctx) -> None:
    """Pack part: ``letters/<course>/<letter>.docx`` (and ``-large-print`` and PDF editions), in
    the edition's language, or in each of its languages in turn."""
    toolkit: Toolkit = ctx.toolkit
    languages = toolkit.settings.editions
    logo = read_logo(toolkit.settings)
    names = [p.stem for p in template_paths()]
    editions = [(Letter.load(n, languages, logo=logo), "") for n in names]
    if ctx.options.large_print:
        editions += [(Letter.load(n, languages, large_print=True, logo=logo), "-large-print") for n in names]
    author = toolkit.settings.author
    written = []
    for course in ctx.courses:
        contexts = {x: context_for(toolkit, course, letter_context.wording(x), x) for x in languages}
        for letter, _ in editions:
            _check_variables(letter, contexts[languages[0]])
        folder = ctx.folder / "letters" / course.id
        folder.mkdir(parents=True, exist_ok=True)
        for letter, suffix in editions:
            path = folder / f"{letter.name}{suffix}.docx"
            letter.write(contexts, path, document_title(letter.name, course, toolkit), author, ctx.options.created)
            written.append(path)
    if ctx.options.pdf:
        to_pdf(written)


def document_title(name: str, course: Course, toolkit: Toolkit) -> str:
    """The document's title, "Invitation: <course>", in each language of the edition."""
    return " / ".join(f"{letter_context.wording(x).titles.get(name) or name.replace('_', ' ').capitalize()}: "
                      f"{text(course.title, x)}" for x in toolkit.settings.editions)


def _check_variables(template: LetterTemplate | Letter, context: dict, columns: set[str] = frozenset()) -> None:
    missing = sorted(template.variables - set(context) - set(columns))
    if missing:
        raise InputError(template.path, f"the template uses {', '.join(repr(m) for m in missing)}, "
                         "which neither the settings nor the course provide",
                         "add a column of that name to the participant list, or remove it from the template")


# ---------------------------------------------------------------------------------------------
# The mail merge


@dataclass
class MergeResult:
    folder: Path
    letters: list[Path]
    combined: Path
    pdfs: list[Path]
    missing_pdfs: list[Path]  # the documents LibreOffice made no PDF of
    warnings: list[str]


def safe_file_name(name: str, limit: int = 60) -> str:
    """A name that is safe as one file name on every system: no folders, no reserved characters."""
    kept = "".join(ch if (ch.isalnum() or ch in "-_") else "-" for ch in name)
    kept = re.sub(r"-{2,}", "-", kept).strip("-_.")
    return kept[:limit].rstrip("-_.") or "participant"


def merge(toolkit: Toolkit, course: Course, letter: str, participants_file: Path, out: Path, created,
          pdf: bool = False, large_print: bool = False, force: bool = False, progress=None,
          header_row: int | None = None, date: dt.date | None = None,
          settings_file: Path | None = None, allow_incomplete: bool = False) -> MergeResult:
    """Write ``out/<letter>/<list>/`` (``<letter>-cy-en`` in other languages): one letter per participant, one
    combined document.

    The folder is named after the participant list, so another cohort's letters go beside
    the first. Everything is checked before anything is written. A rerun replaces only the
    files a merge wrote there (its MANIFEST.json), and of those only the ones unchanged since,
    unless ``force``; other files are never touched. The .docx files are in place before any
    PDF is made, so a failed conversion loses none of them (see ``missing_pdfs``).
    ``progress`` (with ``start(total)`` and ``step(n)``) follows the PDFs being made.
    ``header_row`` is the list's row of headings, if not the first that names a column of
    names; ``date`` is printed on the letters (else "[date]"); ``settings_file`` is named in
    the warning about settings left out. A letter in another language whose texts are not all
    translated is refused, unless ``allow_incomplete`` (English in their place, and a warning).
    """
    languages = toolkit.settings.editions
    template = Letter.load(find_template(letter).stem, languages, large_print=large_print, logo=read_logo(toolkit.settings))
    untranslated = _untranslated(toolkit, template.name, languages)
    if untranslated and not allow_incomplete:
        code, said = untranslated[0][0], "; ".join(w for _, w in untranslated)
        raise UsageError(f"the {template.name} letter is not fully translated: {said} — 'csl translations "
                         f"check --language {code}' lists each text, and 'csl translations export --language {code} "
                         "--out DIR' writes the files to translate; or add --allow-incomplete to print those texts "
                         "in English")
    wordings = {x: letter_context.wording(x) for x in languages}
    contexts = {x: context_for(toolkit, course, wordings[x], x) for x in languages}
    if date:
        for x in languages:
            contexts[x]["letter_date"] = letter_context.long_date(date, x)
    context = contexts[languages[0]]
    needed = template.variables - set(context) - set(PERSONAL)
    people: ParticipantList = read_participants(participants_file, needed, header_row=header_row)
    if pdf:
        from connect_share_learn import office

        if office.soffice() is None:
            raise UsageError(f"--pdf needs LibreOffice, which is not installed: {office.INSTALL_HINT}")
    author = toolkit.settings.author
    title = document_title(template.name, course, toolkit)
    # Another language's letters go beside the English ones: invitation-cy-en/ for a bilingual merge.
    edition = (safe_file_name(template.name) + ("" if languages == (ENGLISH,) else "-" + "-".join(languages))
               + ("-large-print" if large_print else ""))
    folder = out / edition / safe_file_name(participants_file.stem)
    width = len(str(people.participants[-1].row))
    names = [f"{p.row:0{width}d}-{safe_file_name(p.name)}.docx" for p in people.participants]
    combined = f"all-{safe_file_name(template.name)}.docx"
    documents = [combined] + names
    made = {"letter": template.name, "large_print": large_print, "course": course.id,
            "participants": participants_file.name, "participants_sha256": sha256(participants_file)}
    previous, states = _previous_merge(folder, made, documents + ([pdf_name(n) for n in documents] if pdf else []), force)
    with staged(out, "letters", ".merging-") as stage:
        scratch = stage.folder
        bodies = []
        for person, name in zip(people.participants, names):
            rendered = template.write({x: {**contexts[x], **personal_context(person, wordings[x])} for x in languages},
                                      scratch / name, title, author, created)
            bodies.append(rendered["word/document.xml"])
        combine(template.first, bodies, scratch / combined, title, author, created, sections=len(languages) > 1)
        # A PDF made from a letter that has not changed since is kept rather than made again.
        kept_pdfs = [pdf_name(n) for n in documents if pdf and states[pdf_name(n)] == states[n] == "ours"
                     and previous.files[pdf_name(n)]["sha256"] and previous.files[n]["sha256"] == sha256(scratch / n)]
        folder.mkdir(parents=True, exist_ok=True)
        for name, state in states.items():
            if state == "ours" and name not in documents + kept_pdfs:
                (folder / name).unlink()
        stage.publish(documents, into=folder)
        to_convert = [n for n in documents if pdf and pdf_name(n) not in kept_pdfs]
        record = Manifest(folder, made=made)
        record.write(documents + kept_pdfs, pending=[pdf_name(n) for n in to_convert])
    missing = []
    if to_convert:
        from connect_share_learn import office

        if progress:
            progress.start(len(to_convert))
        conversion = office.convert_batches([folder / n for n in to_convert], folder, "pdf",
                                            progress=progress.step if progress else None)
        missing = conversion.missing
        record.write(documents + kept_pdfs + [p.name for p in conversion.outputs if p is not None])
    warnings = people.warnings + [f"{folder / name} was kept: it was changed since csl letters wrote it, and is not "
                                  "one of these letters" for name, state in states.items()
                                  if state == "changed" and name not in record.files]
    warnings += _manager_warnings(template, people)
    if untranslated:
        warnings.append(f"the {template.name} letter prints in English what is not translated: "
                        + "; ".join(w for _, w in untranslated))
    warnings += letter_context.unset_settings_warnings(toolkit.settings, settings_file, template.variables)
    pdfs = [folder / pdf_name(n) for n in documents if pdf_name(n) in record.files]
    return MergeResult(folder, [folder / n for n in names], folder / combined, pdfs, missing, warnings)


def _untranslated(toolkit: Toolkit, letter: str, languages: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each language that lacks some of the letter's own texts, with how many and where:
    [("cy", "16 text(s) in 'cy' (translations/cy/letters.po: invitation.paragraph.0 first)")]."""
    from connect_share_learn import translations

    out = []
    for language in languages:
        where = f"translations/{language}/{wording.LETTERS}.po"
        gaps = [g for g in translations.check(toolkit, language, [], (wording.LETTERS,))
                if g.where == where and g.context.startswith(f"{letter}.")]
        if gaps:
            out.append((language, f"{len(gaps)} text(s) in '{language}' ({where}: {gaps[0].context} first)"))
    return out


def _manager_warnings(template: Letter, people: ParticipantList) -> list[str]:
    """Warnings when a letter greets the manager by name but the list does not give the manager's name."""
    if "manager_name" not in template.variables:
        return []
    if "manager_name" not in people.columns:
        return [(f"{people.file} has no 'manager_name' column, so every letter begins \"Dear colleague\". The "
                 "manager letter is normally addressed to each participant's manager: to greet them by name, add "
                 "a column headed 'manager_name' (or 'Manager') with each manager's name")]
    blank = [str(p.row) for p in people.participants if not p.fields.get("manager_name")]
    if len(blank) == 1:
        return [f"{people.file}: row {blank[0]} has no manager's name, so that letter begins \"Dear colleague\""]
    if blank:
        rows = ", ".join(blank[:10]) + (" …" if len(blank) > 10 else "")
        return [f"{people.file}: rows {rows} have no manager's name, so those letters begin \"Dear colleague\""]
    return []


def pdf_name(name: str) -> str:
    """The PDF made from the letter ``name`` (.docx), beside it."""
    return name.removesuffix(".docx") + ".pdf"


def _previous_merge(folder: Path, made: dict, names: list[str], force: bool) -> tuple[Manifest, dict[str, State]]:
    """The record of an earlier merge into ``folder`` and whose each file is; refuses (unless
    ``force``) to mix another list's letters with these, or to replace a file of ``names`` that
    is not an unchanged one of ours."""
    for path in (folder.parent, folder):
        if path.exists() and not path.is_dir():
            raise UsageError(f"{path}: a file of that name is in the way of the letters' folder; "
                             "move it or choose another --out")
    previous = Manifest.read(folder)
    states = previous.states(names)
    if force:
        return previous, states
    if previous.made != made and any(states[n] != "absent" for n in previous.files):
        earlier = previous.made
        raise UsageError(f"{folder} holds the letters of another participant list or course "
                         f"({earlier.get('participants')} as it was then, course '{earlier.get('course')}'): to keep "
                         "them, rename your list (the letters go in a folder named after it) or give another --out; "
                         "to replace them with these, add --force (your other files are kept, and so are letters "
                         "you changed unless a new letter has the same name)")
    previous.refuse_to_replace(names, "csl letters")
    return previous, states


def check(toolkit: Toolkit, course: Course, letter: str | None = None) -> list[tuple[str, list[tuple[str, str]], str]]:
    """Every template's variables and where each value comes from (``csl letters --check``).

    Returns (letter, [(variable, source)], error) per template; ``error`` is "" unless the
    template cannot be read, so one broken template does not hide the others.
    """
    context = context_for(toolkit, course, letter_context.wording(toolkit.settings.language))
    paths = [find_template(letter)] if letter else template_paths()
    report = []
    for path in paths:
        try:
            template = LetterTemplate.load(path)
        except InputError as exc:
            report.append((path.stem, [], str(exc)))
            continue
        report.append((template.name, [(v, letter_context.where_from(v, context)) for v in sorted(template.variables)], ""))
    return report
