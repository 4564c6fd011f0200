"""What fills a letter: the partnership's settings as a sentence needs them, the course and the date.

A detail the settings file leaves out is printed as a plainly unfilled placeholder
("[contact e-mail or telephone]"), never as words that look final, and ``csl build`` and
``csl letters`` name each one (:func:`unset_settings_warnings`). The words are in
``templates/letters/letters.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from connect_share_learn.defaults import default_dir
from connect_share_learn.participants import Participant
from connect_share_learn.spec.toolkit import Toolkit
from connect_share_learn.spec.model import Course, Settings, text
from connect_share_learn.wording import load as load_wording

# The partnership's details: a letter prints a placeholder for each one the settings leave out.
DETAILS = ("partnership", "coordinator", "contact", "return_address", "dpo_contact")
# The settings' texts, fitted to their place in a sentence wherever a template puts them.
SETTING_TEXTS = DETAILS + ("retention", "lawful_basis")
# Filled in per person by the mail merge (the pack uses the words in letters.yaml).
PERSONAL = ("recipient", "participant", "manager_name", "first_name", "last_name", "name")


def letters_dir() -> Path:
    return default_dir("templates") / "letters"


@dataclass(frozen=True)
class Wording:
    """The words in ``letters.yaml`` for one language (see the comments there)."""

    words: dict[str, str]
    unset: dict[str, str]
    course_word: str
    course_words: frozenset[str]
    articles: frozenset[str]
    common_words: frozenset[str]
    joining_words: frozenset[str]
    titles: dict[str, str] = field(default_factory=dict)


def wording(language: str) -> Wording:
    """The letters' words in ``language``, English wherever that language gives none."""
    data = load_wording("letters", language)

    def words(key: str) -> frozenset[str]:
        return frozenset(_bare(w) for w in data[key].split(",") if _bare(w))

    return Wording(dict(data["words"]), dict(data["unset"]), data["course_word"], words("course_words"),
                   words("articles"), words("common_words"), words("joining_words"), dict(data.get("titles") or {}))


# ---------------------------------------------------------------------------------------------
# The values a letter is filled with


def context_for(toolkit: Toolkit, course: Course, wording: Wording, language: str | None = None) -> dict:
    """Every value a letter can use, but the person's: the settings, the course and the words,
    in ``language`` (the edition's first by default; ``wording`` is that language's)."""
    settings, lang = toolkit.settings, language or toolkit.settings.language
    code = toolkit.profile.code
    first = course.time_points[0]
    follow = course.tp("t3") if "t3" in course.tp_ids else None
    left_out = unset(settings)

    def setting(name: str) -> str:
        if name in left_out:
            return wording.unset[name]
        return " ".join(text(getattr(settings, name), lang).split())

    return {
        **wording.words,
        **{name: setting(name) for name in SETTING_TEXTS},
        "course_title": text(course.title, lang),
        "course_name": course_name(text(course.title, lang), wording),
        "course_description": " ".join(text(course.description, lang).split()),
        "has_registration": "t0" in course.tp_ids,
        "double_baseline": course.double_baseline,
        "first_minutes": first.minutes,
        "follow_up": follow is not None,
        "follow_up_weeks": toolkit.follow_up_weeks(course) or "",
        "follow_up_minutes": follow.minutes if follow else "",
        "code_instructions": " ".join(text(code.instructions, lang).split()),
        "code_parts": [text(p.text, lang) for p in code.parts],
        "code_example": code.example,
        # The results summary's figures: given only when it is filled from a workbook (results_letter.py).
        "from_workbook": False,
        "summary": None,
    }


def personal_context(person: Participant, wording: Wording) -> dict:
    """One person's values: their name, and every column of the list under its heading."""
    values = {k: v for k, v in person.fields.items() if k.isidentifier()}
    values.update(recipient=person.name, participant=person.name, name=person.name)
    values["manager_name"] = person.fields.get("manager_name") or wording.words["manager_name"]
    return values


def long_date(day: dt.date, language: str = "en") -> str:
    """A date as a letter in ``language`` writes it: 14 March 2026 (templates/common.yaml)."""
    said = load_wording("common", language)
    return said["long_date"].format(day=day.day, month=said["months"][day.month - 1], year=day.year)


def _bare(word: str) -> str:
    """A word as a list of words is searched for: lower case, without the pseudo-language's ⟦ ⟧."""
    return word.strip().strip("⟦⟧").lower()


def course_name(title: str, wording: Wording) -> str:
    """The course's title as it reads after "the": a leading "The" left out, and the word
    "course" added unless the title already ends in a word such as course or workshops."""
    words = title.split()
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    if _bare(words[-1]) not in wording.course_words:
        words.append(wording.course_word)
    return " ".join(words)


def where_from(variable: str, context: dict) -> str:
    """Where a template variable's value comes from, for ``csl letters --check``."""
    if variable in ("recipient", "participant", "name", "first_name", "last_name"):
        return "participant list (the name); the pack uses the words in letters.yaml"
    if variable == "manager_name":
        return "participant list ('manager_name' column), else \"colleague\""
    if variable in ("from_workbook", "summary"):
        return "the course's returned workbook (csl letters results_summary --workbook FILE); the pack leaves blanks"
    if variable == "letter_date":
        return "the day of the merge (or --date); the pack prints \"[date]\""
    if variable in SETTING_TEXTS:
        return "settings"
    if variable in context:
        return "course and settings"
    return "NOT PROVIDED: the participant list needs a column of this name"


# ---------------------------------------------------------------------------------------------
# Settings left out


def unset(settings: Settings) -> list[str]:
    """The partnership's details the settings file does not give."""
    return [name for name in DETAILS if not settings.given(name)]


def unset_settings_warnings(settings: Settings, config: Path | None, used: Iterable[str] = DETAILS) -> list[str]:
    """A warning naming each of the partnership's details left out that the letters ``used``
    print as a placeholder, and the settings file to write them in."""
    placeholders = wording(settings.language).unset
    used = set(used)
    left_out = [name for name in unset(settings) if name in used]
    where = f"{config}: " if config else ""

    def to_do(them: str) -> str:
        if config:
            return f"add {them} to {config}"
        return (f"write {them} in a settings file (a YAML file beginning 'kind: settings'; the guide's page "
                "'Adapting the questions and adding a scale' shows one) and give it with --config FILE")

    warnings = []
    details = [f'{name} ("{placeholders[name]}")' for name in left_out if name != "dpo_contact"]
    if details:
        shown = ", ".join(details[:-1]) + " and " + details[-1] if len(details) > 1 else details[0]
        warnings.append(f"{where}the letters print placeholders for your partnership's details that are not "
                        f"given: {shown} — {to_do('them' if len(details) > 1 else 'it')}")
    if "dpo_contact" in left_out:
        warnings.append(f"{where}the privacy notice (information_sheet) prints \"{placeholders['dpo_contact']}\" "
                        f"because dpo_contact, your data protection officer's contact, is not given — {to_do('it')}; "
                        "ask your data protection officer, too, whether the notice's lawful basis (lawful_basis: "
                        "UK GDPR public task, Article 6(1)(e), unless you set another) is the one your partnership "
                        "relies on")
    return warnings


# ---------------------------------------------------------------------------------------------
# A setting's text in a sentence

_SETTING_TAG = re.compile(r"\{\{\s*(" + "|".join(SETTING_TEXTS) + r")\s*\}\}")
_MARKUP = re.compile(r"<[^>]*>|\{%.*?%\}|\{#.*?#\}")
_SMALL_WORD = re.compile(r"[a-z][a-z'’-]*(?=[\s,;:]|$)")


def fit_to_sentences(source: str) -> str:
    """Template source, one paragraph a line, with each bare setting tag given the filter its
    place needs: ``sentence_start`` where a paragraph or sentence begins, else ``in_sentence``."""

    def fit(line: str) -> str:
        def tag(match: re.Match) -> str:
            before = _MARKUP.sub("", line[:match.start()]).rstrip()
            place = "sentence_start" if not before or before.endswith((".", "!", "?")) else "in_sentence"
            return f"{{{{ {match.group(1)}|{place} }}}}"

        return _SETTING_TAG.sub(tag, line)

    return "\n".join(fit(line) for line in source.split("\n"))


def sentence_start(value: str) -> str:
    """A setting's text at the start of a sentence: "the Anytown partnership" → "The Anytown partnership"."""
    return value[0].upper() + value[1:] if _SMALL_WORD.match(value) else value


def in_sentence(value: str, wording: Wording) -> str:
    """A setting's text in the middle of a sentence: "Training team, Anytown Council" → "training
    team, Anytown Council"; a name ("Training Team", "Anytown training team") is kept as written."""
    words = value.split()
    if not words:
        return value
    first = words[0].rstrip(",;:").lower()
    if not (words[0][:1].isupper() and words[0][1:].rstrip(",;:") == first[1:]):
        return value  # not a capitalised ordinary word: "NSPCC", "McKenzie", "[return address]"
    following = next((w for w in words[1:] if w.lower() not in wording.joining_words), "")
    if first in wording.articles or (first in wording.common_words and following[:1].islower()):
        return value[0].lower() + value[1:]
    return value


def filters(wording: Wording) -> dict:
    """The Jinja filters :func:`fit_to_sentences` puts in a template."""
    return {"sentence_start": sentence_start, "in_sentence": lambda value: in_sentence(value, wording)}
