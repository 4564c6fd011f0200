"""What a language edition still needs translated, and the files a translator works in.

Two kinds of wording are translated, each in the files translators already use:

- the toolkit's own words (workbook, questionnaires, letters, report …): gettext catalogues,
  ``translations/<language>/<part>.po`` (see :mod:`connect_share_learn.wording`);
- the specification's words (scales, items, answers, courses, the profile, the settings'
  texts): beside the English in the YAML files, ``text: {en: "…", cy: "…"}``. A file's
  ``translations:`` record keeps a fingerprint of each English text translated, so a
  translation whose English changed since is told apart (*stale*) from one that is current.

:func:`check` lists every gap; :func:`export` writes the catalogues (each message with its
context and English, and any translation already made) and a copy of each specification file
with a place for the language beside each English text.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import yaml

from connect_share_learn import wording
from connect_share_learn.errors import UsageError
from connect_share_learn.files import staged
from connect_share_learn.pseudo import is_pseudo
from connect_share_learn.spec.model import has_text, text
from connect_share_learn.spec.toolkit import Toolkit

ENGLISH = "en"


def fingerprint(english: str) -> str:
    """A short fingerprint of an English text (spacing ignored), recorded beside its translation."""
    return hashlib.sha256(" ".join(english.split()).encode("utf-8")).hexdigest()[:12]


# ---------------------------------------------------------------------------------------------
# The specification's texts


@dataclass(frozen=True)
class SpecText:
    """One text of a specification file: the file (kind and id), its place there, its value."""

    kind: str  # scale, course, format, profile, settings
    owner: str  # the scale's, course's or format's id; the kind for the one-of-a-kind files
    place: str  # as a translation record names it: "items.se_1.text"
    path: tuple  # where it is in the file's data: ("items", 0, "text")
    value: Any

    @property
    def english(self) -> str:
        return text(self.value)


def _texts(kind: str, owner: str, data: dict, fields: dict[str, Any]) -> Iterator[SpecText]:
    """``fields`` maps a field to None (a text) or to (list key, id field, sub-fields)."""
    for name, inner in fields.items():
        value = data.get(name)
        if value is None:
            continue
        if inner is None:
            yield SpecText(kind, owner, name, (name,), value)
        elif isinstance(value, dict) and inner == "by key":
            for key, v in value.items():
                yield SpecText(kind, owner, f"{name}.{key}", (name, key), v)
        elif isinstance(value, dict):
            for sub in _texts(kind, owner, value, inner):
                yield SpecText(kind, owner, f"{name}.{sub.place}", (name, *sub.path), sub.value)
        else:
            id_field, sub_fields = inner
            for i, element in enumerate(value):
                label = element.get(id_field) if id_field else None
                for sub in _texts(kind, owner, element, sub_fields):
                    yield SpecText(kind, owner, f"{name}.{label if label is not None else i}.{sub.place}",
                                   (name, i, *sub.path), sub.value)


_OPTION = {"label": None}
FIELDS = {
    "format": {"title": None, "description": None, "labels": "by key", "options": ("code", _OPTION),
               "dont_know": _OPTION},
    "profile": {"title": None, "instructions": None,
                "code": {"instructions": None, "parts": (None, {"text": None})},
                "questions": ("id", {"text": None, "short": None, "options": ("code", _OPTION)})},
    "scale": {"title": None, "construct": None, "instructions": None, "review": None,
              "items": ("id", {"text": None, "short": None})},
    "course": {"title": None, "description": None},
    "settings": {"partnership": None, "return_address": None, "lawful_basis": None, "retention": None},
}


def _dump(model) -> dict:
    return model.model_dump(mode="python")


def spec_texts(toolkit: Toolkit, courses: list[str] | None = None) -> list[SpecText]:
    """Every text of the specification a pack prints (of ``courses`` only, if given)."""
    chosen = [toolkit.courses[c] for c in (courses or sorted(toolkit.courses))]
    scales = {s.id: s for c in chosen for s in toolkit.course_scales(c)}
    formats = {s.format: toolkit.formats[s.format] for s in scales.values()}
    out: list[SpecText] = []
    for fid, fmt in sorted(formats.items()):
        out += _texts("format", fid, _dump(fmt), FIELDS["format"])
    out += _texts("profile", "profile", _dump(toolkit.profile), FIELDS["profile"])
    for sid, scale in sorted(scales.items()):
        out += _texts("scale", sid, _dump(scale), FIELDS["scale"])
    for course in chosen:
        out += _texts("course", course.id, _dump(course), FIELDS["course"])
    settings = toolkit.settings
    given = {k: v for k, v in _dump(settings).items() if settings.given(k)}
    out += _texts("settings", "settings", given, FIELDS["settings"])
    # Research findings' notes are quoted as published, beside their citations: not translated.
    return out


def _record(toolkit: Toolkit, item: SpecText, language: str):
    model = {"scale": toolkit.scales, "course": toolkit.courses, "format": toolkit.formats}.get(item.kind)
    owner = model.get(item.owner) if model is not None else toolkit.profile if item.kind == "profile" else None
    records = getattr(owner, "translations", None) or {}
    return records.get(language)


# ---------------------------------------------------------------------------------------------
# Gaps


@dataclass(frozen=True)
class Gap:
    """One text a language lacks: where it is (a catalogue or a specification file), its
    context there, the English, and whether it is ``missing`` or ``stale``."""

    where: str
    context: str
    english: str
    state: str

    def __str__(self) -> str:
        return f"{self.where}: {self.context} ({self.state}): {' '.join(self.english.split())[:80]}"


# The parts of the toolkit's wording a pack prints (the others are csl analyse's).
PACK_PARTS = ("common", "scoring", "questionnaire", "workbook", "letters", "guide")
# The parts of the toolkit's wording `csl analyse` writes in (report.html, results.xlsx).
ANALYSE_PARTS = ("common", "report", "quality")


def check(toolkit: Toolkit, language: str, courses: list[str] | None = None,
          parts: tuple[str, ...] | None = None) -> list[Gap]:
    """Every text of the pack (and of ``parts`` of the toolkit's wording, all by default) that
    ``language`` does not translate, or translates from English that has changed since."""
    if language == ENGLISH or is_pseudo(language):
        return []
    gaps = [Gap(f"translations/{language}/{g.message.part}.po", g.message.context, g.message.source, g.state)
            for g in wording.gaps(language, parts) if not _in_own_letter(g.message, language)]
    for item in spec_texts(toolkit, courses):
        where = f"{item.kind} {item.owner}" if item.kind not in ("profile", "settings") else item.kind
        if not has_text(item.value, language):
            gaps.append(Gap(where, item.place, item.english, "missing"))
            continue
        record = _record(toolkit, item, language)
        made_from = record.source.get(item.place) if record else None
        if made_from is not None and made_from != fingerprint(item.english):
            gaps.append(Gap(where, item.place, item.english, "stale"))
    return gaps


def _in_own_letter(message: wording.Message, language: str) -> bool:
    """Whether ``message`` is a letter's text that the language's own template of the letter
    (``letters/<language>/<letter>.docx`` in the templates folder) prints instead."""
    where = wording.message_file(message)
    if not where.startswith("letters/source/"):
        return False
    letter = message.context.split(".")[0]
    return (wording.source_file(wording.LETTERS).parent / language / f"{letter}.docx").is_file()


def summary(gaps: list[Gap], language: str, shown: int = 8,
            allowed: str = "to build with English in their place (the codebook marks each one)") -> str:
    """One message for a build that stops: how many texts are missing or stale, where, and the first few."""
    states = Counter(g.state for g in gaps)
    counts = " and ".join(f"{n} {state}" for state, n in sorted(states.items()))
    places = Counter(g.where.split(":")[0] for g in gaps)
    where = ", ".join(f"{w} ({n})" for w, n in places.most_common(6)) + (", …" if len(places) > 6 else "")
    first = "; ".join(str(g) for g in gaps[:shown])
    return (f"the '{language}' edition is not fully translated: {counts} text(s) — {where}. First: {first}. "
            f"'csl translations check --language {language}' lists them all, and 'csl translations export "
            f"--language {language} --out DIR' writes the files to translate; or add --allow-incomplete {allowed}")


# ---------------------------------------------------------------------------------------------
# Export


def export(toolkit: Toolkit, language: str, out: Path, courses: list[str] | None = None) -> list[Path]:
    """Write what a translator needs for ``language`` into ``out/<language>/``: a catalogue per
    part (``<part>.po``) and the specification files (``scales/``, ``courses/``) with a place
    for the language beside each English text. Returns the files written."""
    if language == ENGLISH or is_pseudo(language):
        raise UsageError(f"'{language}' is not a language to translate into: give another code, e.g. --language cy")
    # All or nothing: written in a scratch folder, moved into out/<language>/ once all are written.
    with staged(out, "translation files", ".csl-translations-") as stage:
        folder = stage.folder / language
        written = []
        for part in wording.all_parts():
            path = folder / f"{part}.po"
            path.parent.mkdir(parents=True, exist_ok=True)
            _catalogue(part, language).save(str(path))
            written.append(path)
        written += _spec_files(toolkit, language, folder, courses)
        return stage.publish([path.relative_to(stage.folder).as_posix() for path in written])


def _catalogue(part: str, language: str):
    import polib

    po = polib.POFile(wrapwidth=0)
    po.metadata = {"Project-Id-Version": "connect-share-learn", "Language": language,
                   "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                   "Content-Transfer-Encoding": "8bit"}
    po.header = (f"The toolkit's {part} wording in '{language}'. Each message's context is its place in "
                 f"templates/{wording.source_path(part)} (a template's message: its template and line there); "
                 "keep the {placeholders}, %(names)s, {{ names }} and <tags> as they are.")
    if part == wording.LETTERS:
        po.header += (" A letter's own texts follow, each in the letter's source (templates/letters/source/<letter>.md): "
                      "its context is the letter and its place (invitation.paragraph.4, counted from 0); keep every "
                      "{{ … }} and {% … %} tag and the **bold** marks.")
    made = wording.catalogue(part, language)
    for message in wording.messages(part):
        line = message.context.rsplit(":", 1)[1] if part in wording.MARKED and ":" in message.context else ""
        where = (f"templates/{wording.message_file(message)}", line)
        entry = polib.POEntry(msgctxt=message.context, msgid=message.source, msgstr="", occurrences=[where],
                              flags=["python-format"] if "%(" in message.source or "%%" in message.source else [])
        translated = wording.translate(message, language)
        if translated is not None:
            entry.msgstr = translated
        elif made.made_from.get(message.context) is not None:
            # Stale: the old translation, marked fuzzy, with the English it was made from.
            old = made.made_from[message.context]
            entry.msgstr = made.translated.get((message.context, old), "")
            entry.previous_msgid = old
            entry.flags.append("fuzzy")
        po.append(entry)
    return po


def _spec_files(toolkit: Toolkit, language: str, folder: Path, courses: list[str] | None) -> list[Path]:
    """Each specification file with every text as ``{en: …, <language>: …}`` (empty where not yet
    translated) and a translation record of the English's fingerprints."""
    by_file: dict[tuple[str, str], list[SpecText]] = {}
    for item in spec_texts(toolkit, courses):
        by_file.setdefault((item.kind, item.owner), []).append(item)
    formats = []
    written = []
    for (kind, owner), items in by_file.items():
        if kind == "settings":
            continue  # the partnership's own files: they give `partnership: {en: …, cy: …}` there
        model = {"scale": toolkit.scales, "course": toolkit.courses, "format": toolkit.formats}.get(kind)
        source = model[owner] if model is not None else toolkit.profile
        data = source.model_dump(mode="json", exclude_defaults=True)
        record = dict((source.translations.get(language).model_dump(mode="json", exclude_defaults=True)
                       if language in source.translations else {}))
        record["source"] = {}
        for item in items:
            current = item.value.get(language, "") if isinstance(item.value, dict) else ""
            _set(data, item.path, {ENGLISH: item.english, language: current})
            record["source"][item.place] = fingerprint(item.english)
        data.setdefault("translations", {})[language] = record
        if kind == "format":
            formats.append(data)
            continue
        kind_line = {"kind": kind}
        name = {"scale": f"scales/{owner}.yaml", "course": f"courses/{owner}.yaml", "profile": "scales/profile.yaml"}[kind]
        written.append(_write_yaml(folder / name, {**kind_line, **data}))
    if formats:
        written.append(_write_yaml(folder / "scales" / "formats.yaml", {"kind": "response_formats", "formats": formats}))
    return written


def _set(data, path: tuple, value) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def _write_yaml(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    head = ("# Translate each empty line beside its English (keep the English). csl translations check\n"
            "# lists what is left. Items of a validated scale need forward and back translation: see\n"
            "# the guide's page on adapting the questions, and record how under translations: method.\n")
    path.write_text(head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")
    return path
