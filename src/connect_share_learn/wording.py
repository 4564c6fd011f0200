"""Wording in any language: one loader of every renderer's words, one strict Jinja environment.

The English wording is data, one YAML file per part of the toolkit (:data:`PARTS`, under
``templates/``). A translation is a gettext catalogue per part and language,
``templates/translations/<language>/<part>.po``, as translators' tools read and write them:
each message's context is the text's place in the YAML (``comparisons.t1_t2.span``), its
``msgid`` the English and its ``msgstr`` the translation. A message is *missing* when no
translation is given, and *stale* when the catalogue translates another English text at that
place (the English changed since) or marks it fuzzy: both fall back to English, and
:func:`gaps` lists them. The pseudo-language ``qps`` (:mod:`.pseudo`) translates every
message by itself, to prove that none escapes.

A part's YAML file may also hold language sections (``en:``, ``cy:``), as the
questionnaire's once did: the ``en:`` section is then the English, and another section
translates the texts at the same places.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import jinja2
import yaml

from connect_share_learn.defaults import default_dir
from connect_share_learn.errors import InputError
from connect_share_learn.pseudo import is_pseudo, pseudo

ENGLISH = "en"
# Each part's English wording, under templates/.
PARTS = {
    "common": "common.yaml",
    "scoring": "scoring.yaml",
    "questionnaire": "questionnaire/wording.yaml",
    "workbook": "workbook/wording.yaml",
    "letters": "letters/letters.yaml",
    "report": "report/wording.yaml",
    "quality": "report/quality.yaml",
}
# Parts whose wording is marked in Jinja templates ({% trans %}…{% endtrans %}, _("…")), with the
# templates under templates/ that mark it: a message's context is its template and line there.
MARKED = {"guide": "guide/*.html.j2", "report": "report/report.html.j2"}
TRANSLATIONS = "translations"
LANGUAGES_FILE = "languages.yaml"

# ---------------------------------------------------------------------------------------------
# The strict Jinja environment


_ENVIRONMENT = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


def environment(loader: jinja2.BaseLoader | None = None, autoescape: bool = False, **options) -> jinja2.Environment:
    """The toolkit's one Jinja environment: strict (a missing name is an error naming it, never a
    blank), with a template ``loader``, HTML/XML ``autoescape`` and block ``options`` as a
    renderer needs them. Filters added to the result are its own."""
    env = _ENVIRONMENT.overlay(loader=loader, autoescape=autoescape, **options)
    env.filters = dict(_ENVIRONMENT.filters)
    return env


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> jinja2.Template:
    return _ENVIRONMENT.from_string(source)


def fill(source: str, **values) -> str:
    """A wording's Jinja text (``{{ course }}``) filled in with ``values``, strictly."""
    return _compiled(source).render(values)


# ---------------------------------------------------------------------------------------------
# Messages: the English texts of a part, each at its place


@dataclass(frozen=True)
class Message:
    """One English text to translate: the part it is in, its place there, the English."""

    part: str
    context: str
    source: str


def all_parts() -> tuple[str, ...]:
    """Every part of the toolkit's wording: its YAML files' and its templates' (:data:`MARKED`)."""
    return tuple(dict.fromkeys([*PARTS, *MARKED]))


def source_path(part: str) -> str:
    """Where a part's English is, under templates/, as a translator's file names it."""
    return PARTS.get(part) or MARKED[part]


def source_file(part: str) -> Path:
    if part not in PARTS:
        raise KeyError(f"no wording part '{part}'")
    return default_dir("templates") / PARTS[part]


# libyaml's safe loader where PyYAML has it (several times faster), else PyYAML's own.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(path, f"the wording cannot be read ({exc})",
                         "restore the file from the toolkit or correct its YAML") from exc


def _is_language(key) -> bool:
    return isinstance(key, str) and re.fullmatch(r"[a-z]{2,3}", key) is not None


@functools.lru_cache(maxsize=64)
def _sections(path: Path) -> tuple[Any, dict[str, dict[str, str]]]:
    """The English of a wording file and the translations its own language sections hold."""
    data = _read_yaml(path)
    if isinstance(data, dict) and ENGLISH in data and all(_is_language(k) for k in data):
        own = {lang: dict(_leaves(section, "")) for lang, section in data.items() if lang != ENGLISH}
        return data[ENGLISH], own
    return data, {}


def english(part: str) -> Any:
    """The part's wording in English, as its file holds it (the letters' with each letter's
    texts from ``letters/source/<letter>.md`` beside it, under the letter's name)."""
    data = _sections(source_file(part))[0]
    if part == LETTERS:
        texts = _letter_texts(str(source_file(part).parent))
        clash = sorted(set(data) & set(texts))
        if clash:  # a letter's texts are found under its name: no other wording may take that name
            raise InputError(source_file(part), f"'{clash[0]}' is the name of a letter (source/{clash[0]}.md), so it "
                             "cannot also name wording here", "give this wording another name")
        data = {**data, **texts}
    return data


LETTERS = "letters"


@functools.lru_cache(maxsize=8)
def _letter_texts(folder: str) -> dict:
    from connect_share_learn.letter_layout import english_texts

    return english_texts(Path(folder))


def message_file(message: Message) -> str:
    """The file under ``templates/`` that holds ``message``'s English."""
    from connect_share_learn.letter_layout import SOURCE_FOLDER

    letter = message.context.split(".")[0]
    if message.part == LETTERS and letter in _letter_texts(str(source_file(LETTERS).parent)):
        return f"letters/{SOURCE_FOLDER}/{letter}.md"
    if message.part in MARKED and ":" in message.context:  # marked in a template: "<template>:<line>"
        return f"{MARKED[message.part].split('/')[0]}/{message.context.rsplit(':', 1)[0]}"
    return source_path(message.part)


def _leaves(node: Any, place: str) -> Iterator[tuple[str, str]]:
    """Every text of ``node`` with its place: keys joined with dots, list items numbered."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{place}.{key}" if place else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{place}.{i}")
    elif isinstance(node, str):
        yield place, node


def messages(part: str) -> list[Message]:
    """Every English text of ``part``, in the order of its file (then of its marked templates)."""
    found = [Message(part, place, source) for place, source in _leaves(english(part), "")] if part in PARTS else []
    return found + list(_marked(part, str(default_dir("templates"))))


# The lexer's settings of every template that marks messages: a message is the text as they read it.
MARKING = dict(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])


@functools.lru_cache(maxsize=16)
def _marked(part: str, templates: str) -> tuple[Message, ...]:
    """The messages marked in ``part``'s templates, with jinja2's own extractor: context
    ``<template>:<line>``, one message per context and English."""
    if part not in MARKED:
        return ()
    env = _ENVIRONMENT.overlay(**MARKING)
    env.newstyle_gettext = True
    folder = Path(templates)
    out: dict[tuple[str, str], Message] = {}
    for path in sorted(folder.glob(MARKED[part])):
        name = path.relative_to(folder / MARKED[part].split("/")[0]).as_posix()
        try:
            found = list(env.extract_translations(path.read_text(encoding="utf-8")))
        except (OSError, jinja2.TemplateSyntaxError) as exc:
            raise InputError(path, f"the template's messages cannot be read ({exc})",
                             "correct the template, or restore it from the toolkit") from exc
        for line, _function, message in found:
            for source in (message if isinstance(message, tuple) else (message,)):
                if isinstance(source, str) and source.strip():
                    context = f"{name}:{line}"
                    out.setdefault((context, source), Message(part, context, source))
    return tuple(out.values())


# ---------------------------------------------------------------------------------------------
# Catalogues


def catalogue_file(part: str, language: str) -> Path:
    return default_dir("templates") / TRANSLATIONS / language / f"{part}.po"


@dataclass(frozen=True)
class Catalogue:
    """One part's translations into one language: (context, English) → translation, and for
    each context the English its translation was made from (to tell a stale one)."""

    translated: dict[tuple[str, str], str]
    made_from: dict[str, str]

    def lookup(self, context: str, source: str) -> str | None:
        found = self.translated.get((context, source))
        if found is None and ":" in context:
            # A template's message keeps its translation when lines above it are added or removed.
            template = context.rsplit(":", 1)[0] + ":"
            found = next((t for (c, s), t in self.translated.items() if s == source and c.startswith(template)), None)
        return found


@functools.lru_cache(maxsize=64)
def _catalogue(path: Path) -> Catalogue:
    if not path.is_file():
        return Catalogue({}, {})
    import polib

    try:
        po = polib.pofile(str(path), encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise InputError(path, f"the translation catalogue cannot be read ({exc})",
                         "correct it with a PO editor, or check it with msgfmt --check") from exc
    translated, made_from = {}, {}
    for entry in po:
        if entry.obsolete:
            continue
        context = entry.msgctxt or ""
        made_from[context] = entry.msgid
        if entry.msgstr.strip() and "fuzzy" not in entry.flags:
            translated[(context, entry.msgid)] = entry.msgstr
    return Catalogue(translated, made_from)


def catalogue(part: str, language: str) -> Catalogue:
    return _catalogue(catalogue_file(part, language))


@dataclass(frozen=True)
class Gap:
    """A message with no usable translation: ``missing``, or ``stale`` (made from other English,
    or marked fuzzy), with the English it was made from."""

    message: Message
    state: str
    was: str | None = None


def translate(message: Message, language: str) -> str | None:
    """The translation of ``message`` into ``language``; None when there is none to use."""
    if language == ENGLISH:
        return message.source
    if is_pseudo(language):
        return pseudo(message.source)
    own = _sections(source_file(message.part))[1].get(language, {}) if message.part in PARTS else {}
    if message.context in own:
        return own[message.context]
    return catalogue(message.part, language).lookup(message.context, message.source)


def gaps(language: str, parts: tuple[str, ...] | None = None) -> list[Gap]:
    """Every message of ``parts`` (all of them by default) that ``language`` does not translate."""
    out = []
    for part in parts or all_parts():
        found = catalogue(part, language)
        for message in messages(part):
            if translate(message, language) is not None:
                continue
            was = found.made_from.get(message.context)
            out.append(Gap(message, "stale" if was is not None else "missing", was))
    return out


# ---------------------------------------------------------------------------------------------
# Loading a part's wording


def _translated(node: Any, place: str, part: str, language: str) -> Any:
    if isinstance(node, dict):
        return {k: _translated(v, f"{place}.{k}" if place else str(k), part, language) for k, v in node.items()}
    if isinstance(node, list):
        return [_translated(v, f"{place}.{i}", part, language) for i, v in enumerate(node)]
    if isinstance(node, str):
        found = translate(Message(part, place, node), language)
        return node if found is None else found
    return node


@functools.lru_cache(maxsize=128)
def _load(part: str, language: str, templates: str) -> Any:
    return _translated(english(part), "", part, language)


def load(part: str, language: str = ENGLISH) -> Any:
    """The wording of ``part`` in ``language``, shaped as its English file: every text
    translated, English wherever the language has no translation (see :func:`gaps`)."""
    return _load(part, language, str(default_dir("templates")))


def forget() -> None:
    """Forget every file read: the templates folder changed (``--templates``)."""
    for cached in (_load, _sections, _catalogue, _marked, _gettext, _letter_texts):
        cached.cache_clear()


# ---------------------------------------------------------------------------------------------
# Templates that mark their messages


@functools.lru_cache(maxsize=32)
def _gettext(part: str, language: str, templates: str) -> dict[str, str]:
    found = {}
    for message in messages(part):
        if ":" in message.context and message.source not in found:
            translated = translate(message, language)
            if translated is not None:
                _check_placeholders(message, language, translated)
                found[message.source] = translated
    return found


def _check_placeholders(message: Message, language: str, translated: str) -> None:
    """A template fills a marked message's ``%(name)s`` in: a translation must name no other."""
    names = dict.fromkeys(re.findall(r"%\((\w+)\)s", message.source), "")
    try:
        translated % names
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(catalogue_file(message.part, language),
                         f"the translation of '{message.context}' does not fit its placeholders ({exc!r})",
                         "keep each %(name)s of the English as it is, and write a percent sign as %%") from exc


def translating(env: jinja2.Environment, part: str, language: str) -> jinja2.Environment:
    """``env`` (made with :data:`MARKING`'s options) translating the messages its templates mark
    into ``language``: English wherever the language has no translation (see :func:`gaps`)."""
    if language == ENGLISH:
        table: dict[str, str] = {}
    else:
        table = _gettext(part, language, str(default_dir("templates")))

    def gettext(source: str) -> str:
        return table.get(source, source)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return gettext(singular if n == 1 else plural)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    return env


# ---------------------------------------------------------------------------------------------
# Languages


@dataclass(frozen=True)
class Language:
    """What an edition in one language needs besides words: its own name, its direction and
    the fonts its documents use (templates/languages.yaml)."""

    code: str
    name: str
    direction: str
    font: str
    workbook_font: str


@functools.lru_cache(maxsize=16)
def _languages(templates: str) -> dict:
    return _read_yaml(Path(templates) / LANGUAGES_FILE)


def language(code: str) -> Language:
    known = _languages(str(default_dir("templates")))
    base = dict(known["default"])
    base.update(known.get(code) or {})
    return Language(code, base.get("name") or code, base["direction"], base["font"], base["workbook_font"])
