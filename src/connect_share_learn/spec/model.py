"""The specification language: what a scale, a course type, a benchmark and a partnership are.

Every wording field is a :data:`Text`: a plain string (English) or a mapping of language
code to string, so a Welsh edition adds ``cy:`` beside ``en:`` without a schema change.
Models are immutable; cross-references between files are checked in :mod:`.load`.

One module though long: it is one schema, with a section for each kind of file.
"""

from __future__ import annotations

import re
import warnings
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from connect_share_learn.contract import DEFAULT_CAPACITY, MAX_CAPACITY, MIN_CAPACITY
from connect_share_learn.number_style import with_leading_zeros
from connect_share_learn.pseudo import is_pseudo, pseudo

# Excel limits that later parts hit: a data-validation input message holds 255 characters,
# its title 32; a cell's text that prints well stays far below the 32,767 maximum.
MAX_WORDING = 255
MAX_TITLE = 120
MAX_LABEL = 60

TIME_POINTS = ("t0", "t1", "t2", "t3")
# For the command line's messages; documents name the time points from templates/common.yaml.
TIME_POINT_NAMES = {"t0": "Registration", "t1": "Start of course", "t2": "End of course", "t3": "Follow-up"}
TIME_POINT_SHORT = {"t0": "registration", "t1": "start", "t2": "end", "t3": "follow-up"}

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
# Ids become parts of defined names and column ids, so none may read as a cell reference
# (A1 or R1C1 style) or as a name Excel reserves.
_A1 = re.compile(r"^[a-z]{1,3}[0-9]+$")
_R1C1 = re.compile(r"^(r[0-9]*c?[0-9]*|c[0-9]*)$")
_RESERVED = {"true", "false", "print_area", "print_titles", "criteria", "database", "extract",
             "consolidate_area", "sheet_title", "filter_database", "auto_open", "auto_close"}
_RESERVED_PREFIXES = ("t0", "t1", "t2", "t3", "codebook", "baseline")


def check_id(value: str) -> str:
    if not isinstance(value, str) or not _SNAKE.match(value):
        raise ValueError(f"'{value}' is not a valid id: use lower-case letters, digits and single "
                         "underscores, starting with a letter (e.g. 'self_efficacy')")
    if len(value) > 40:
        raise ValueError(f"'{value}' is longer than 40 characters: shorten it")
    if _A1.match(value) or _R1C1.match(value):
        raise ValueError(f"'{value}' reads as a spreadsheet cell reference: add a word or underscore "
                         f"(e.g. '{value[0]}_{value[1:]}')" if len(value) > 1 else
                         f"'{value}' reads as a spreadsheet row or column: use a longer id")
    if value in _RESERVED or value in _RESERVED_PREFIXES:
        raise ValueError(f"'{value}' is a name spreadsheets or this toolkit reserve: choose another id")
    return value


Id = Annotated[str, AfterValidator(check_id)]

Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
Text = Union[str, dict[Language, str]]


def text(value: Text | None, language: str = "en") -> str:
    """The wording of ``value`` in ``language``, falling back to English (see :func:`has_text`)."""
    if value is None:
        return ""
    if is_pseudo(language):
        return pseudo(text(value))
    if isinstance(value, str):
        return value
    return value.get(language) or value.get("en") or next(iter(value.values()), "")


def has_text(value: Text | None, language: str) -> bool:
    """Whether ``value`` is worded in ``language`` itself (a plain string is English)."""
    if value is None or language == "en" or is_pseudo(language):
        return True
    return isinstance(value, dict) and bool(value.get(language))


def _check_text(value: Text, limit: int, what: str) -> Text:
    # A translation left empty (as csl translations export writes it) is one not made yet.
    versions = [value] if isinstance(value, str) else [v for k, v in value.items() if k == "en" or v.strip()]
    if isinstance(value, dict) and not versions:
        raise ValueError(f"{what} is empty: give the wording in at least one language")
    for version in versions:
        if not version.strip():
            raise ValueError(f"{what} is blank: write the wording")
        if len(version) > limit:
            raise ValueError(f"{what} is {len(version)} characters, over the limit of {limit}: shorten it")
    return value


def limited(limit: int, what: str):
    return AfterValidator(lambda v: _check_text(v, limit, what))


def _points(points: list[int]) -> str:
    """The start of a message about some points of a scale: 'point 4 has' or 'points 4, 5 have'."""
    return f"point {points[0]} has" if len(points) == 1 else f"points {', '.join(map(str, points))} have"


Wording = Annotated[Text, limited(MAX_WORDING, "the wording")]
Title = Annotated[Text, limited(MAX_TITLE, "the title")]
Label = Annotated[Text, limited(MAX_LABEL, "the label")]
LongText = Annotated[Text, limited(2000, "the text")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TranslationRecord(Strict):
    """How a file's wording was put into one language: how it was done, who reviewed it, and a
    fingerprint of each English text translated (its place in the file: ``items.se_1.text``),
    so that ``csl translations check`` can tell a translation whose English changed since.
    ``csl translations export`` writes the fingerprints; a translator fills in the rest."""

    method: LongText | None = None
    reviewed_by: str | None = None
    source: dict[str, str] = Field(default_factory=dict)


Translations = dict[Language, TranslationRecord]


# ---------------------------------------------------------------------------------------------
# Response formats


class Option(Strict):
    """One coded answer: ``code`` is what is typed into the workbook."""

    code: int = Field(ge=-99, le=999)
    label: Label


class ResponseFormat(Strict):
    """How an item is answered: a rating on a numbered scale, a choice of coded options, or text."""

    id: Id
    kind: Literal["rating", "choice", "text"]
    title: Title | None = None
    description: LongText | None = None
    min: int | None = None
    max: int | None = None
    step: int = Field(default=1, ge=1)
    labels: dict[int, Label] = Field(default_factory=dict)
    options: list[Option] = Field(default_factory=list)
    dont_know: Option | None = None
    # Agree/disagree formats invite yes-saying, so their scales should have reversed items.
    agreement: bool = False
    translations: Translations = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shape(self) -> "ResponseFormat":
        if self.kind == "rating":
            if self.min is None or self.max is None:
                raise ValueError("a rating format needs 'min' and 'max': add both, e.g. min: 1 and max: 5")
            if self.max <= self.min:
                raise ValueError(f"'max' ({self.max}) is not larger than 'min' ({self.min}): make 'max' the highest point")
            if (self.max - self.min) % self.step:
                raise ValueError(f"the range {self.min}–{self.max} is not a whole number of steps of {self.step}: "
                                 "change 'step' or 'max' so the steps end on 'max'")
            missing = [p for p in self.points if p not in self.labels]
            if missing:
                raise ValueError(f"{_points(missing)} no label: give every point a label")
            extra = sorted(set(self.labels) - set(self.points))
            if extra:
                raise ValueError(f"{_points(extra)} a label but {'are' if len(extra) > 1 else 'is'} outside "
                                 f"the scale ({self.min}–{self.max}): remove {'those labels' if len(extra) > 1 else 'it'}")
            if self.options:
                raise ValueError("a rating format has 'labels', not 'options': write its answers under 'labels'")
        elif self.kind == "choice":
            if len(self.options) < 2:
                raise ValueError("a choice format needs at least two 'options': add another")
            if self.labels or self.min is not None or self.max is not None:
                raise ValueError("a choice format has 'options', not 'labels', 'min' or 'max': remove them")
        else:
            if self.labels or self.options or self.min is not None or self.max is not None:
                raise ValueError("a text format has no 'labels', 'options', 'min' or 'max': remove them")
        codes = [o.code for o in self.options] + ([self.dont_know.code] if self.dont_know else [])
        if self.kind == "rating" and self.dont_know:
            codes += self.points
        if len(codes) != len(set(codes)):
            raise ValueError("two answers share a code: give each answer its own number")
        return self

    @property
    def points(self) -> list[int]:
        """The valid rating values, in order (empty for choice and text formats)."""
        if self.kind != "rating":
            return []
        return list(range(self.min, self.max + 1, self.step))

    @property
    def codes(self) -> list[int]:
        """Every code a respondent may give, "don't know" included."""
        base = self.points if self.kind == "rating" else [o.code for o in self.options]
        return base + ([self.dont_know.code] if self.dont_know else [])

    def answers(self) -> list[Option]:
        """Every answer as (code, label), in the printed order."""
        if self.kind == "rating":
            out = [Option(code=p, label=self.labels[p]) for p in self.points]
        else:
            out = list(self.options)
        return out + ([self.dont_know] if self.dont_know else [])


class ResponseFormatsFile(Strict):
    kind: Literal["response_formats"]
    formats: list[ResponseFormat]


# ---------------------------------------------------------------------------------------------
# Scales


class Provenance(Strict):
    """Who wrote a scale's items and whether they are the original validated ones."""

    author: str
    original: bool
    citation: str | None = None
    note: LongText | None = None


class Item(Strict):
    id: Id
    text: Wording
    short: Label | None = None
    reverse: bool = False
    key: int | None = None


Level = Literal["1", "2a", "2b", "3"]

# 'construct' is the domain's word; it shadows pydantic's deprecated BaseModel.construct.
warnings.filterwarnings("ignore", message='Field name "construct"', category=UserWarning)


class Scale(Strict):
    """A set of items answered in one response format and scored together."""

    kind: Literal["scale"] = "scale"
    id: Id
    title: Title
    construct: LongText
    level: Level
    instructions: LongText
    format: Id
    items: list[Item] = Field(min_length=1)
    scoring: Literal["mean", "sum", "percent_correct", "none"]
    min_answered: int = Field(default=1, ge=1)
    version: str = "1.0"
    provenance: Provenance
    review: LongText | None = None
    translations: Translations = Field(default_factory=dict)

    @field_validator("level", mode="before")
    @classmethod
    def _level_as_text(cls, value):
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _shape(self) -> "Scale":
        ids = [i.id for i in self.items]
        seen = sorted({x for x in ids if ids.count(x) > 1})
        if seen:
            raise ValueError(f"the item id{'s' if len(seen) > 1 else ''} {', '.join(repr(x) for x in seen)} "
                             f"{'are' if len(seen) > 1 else 'is'} used twice: give each item its own id")
        if self.min_answered > len(self.items):
            raise ValueError(f"'min_answered' is {self.min_answered} but the scale has only "
                             f"{len(self.items)} items: lower it to {len(self.items)} or fewer")
        keyed = [i for i in self.items if i.key is not None]
        if self.scoring == "percent_correct":
            unkeyed = [i.id for i in self.items if i.key is None]
            if unkeyed:
                raise ValueError(f"item{'s' if len(unkeyed) > 1 else ''} {', '.join(unkeyed)} "
                                 f"{'have' if len(unkeyed) > 1 else 'has'} no 'key': add the code of the correct "
                                 "answer, e.g. key: 1")
            reversed_ = [i.id for i in self.items if i.reverse]
            if reversed_:
                raise ValueError(f"knowledge items cannot be reverse-scored ({', '.join(reversed_)}): "
                                 "remove 'reverse' and set 'key' to the correct option")
        elif keyed:
            raise ValueError(f"only 'percent_correct' scales have keyed items: remove 'key' from "
                             f"{', '.join(i.id for i in keyed)}")
        return self

    @property
    def scored(self) -> bool:
        return self.scoring != "none"

    @property
    def knowledge(self) -> bool:
        return self.scoring == "percent_correct"


# ---------------------------------------------------------------------------------------------
# Profile questions (asked once per participant)


class ProfileQuestion(Strict):
    id: Id
    text: Wording
    short: Label | None = None
    options: list[Option] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique(self) -> "ProfileQuestion":
        codes = [o.code for o in self.options]
        if len(codes) != len(set(codes)):
            raise ValueError("two options share a code: give each its own number")
        return self


class CodePart(Strict):
    """One part of the self-generated participant code, e.g. the day of birth."""

    text: Wording
    length: int = Field(ge=1, le=4)
    characters: Literal["letters", "digits"]
    example: str


class ParticipantCode(Strict):
    """How participants make the code that links their answers without a name."""

    instructions: LongText
    parts: list[CodePart] = Field(min_length=1, max_length=6)

    @property
    def length(self) -> int:
        return sum(p.length for p in self.parts)

    @property
    def pattern(self) -> str:
        """A regular expression a well-formed code matches (letters in either case)."""
        return "^" + "".join(("[A-Za-z]" if p.characters == "letters" else "[0-9]") + f"{{{p.length}}}"
                             for p in self.parts) + "$"

    @property
    def example(self) -> str:
        return "".join(p.example for p in self.parts)


class ProfileFile(Strict):
    kind: Literal["profile"]
    title: Title | None = None
    instructions: LongText | None = None
    code: ParticipantCode
    questions: list[ProfileQuestion] = Field(min_length=1)
    agency: Id = "agency"
    gp_code: int | None = None
    translations: Translations = Field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Course types


class TimePoint(Strict):
    id: Literal["t0", "t1", "t2", "t3"]
    scales: list[Id] = Field(min_length=1)
    weeks: int | None = Field(default=None, ge=1, le=104)
    optional: bool = False
    minutes: int = Field(default=10, ge=1, le=120)


class Course(Strict):
    kind: Literal["course"] = "course"
    id: Id
    title: Title
    description: LongText
    time_points: list[TimePoint] = Field(min_length=1)
    translations: Translations = Field(default_factory=dict)

    @model_validator(mode="after")
    def _order(self) -> "Course":
        ids = [t.id for t in self.time_points]
        if len(ids) != len(set(ids)):
            raise ValueError("a time point is listed twice: list each once")
        if ids != sorted(ids):
            raise ValueError(f"the time points are out of order ({', '.join(ids)}): list them in the order "
                             "t0, t1, t2, t3")
        if "t3" in ids and self.tp("t3").weeks is None:
            raise ValueError("the follow-up (t3) has no 'weeks': add how many weeks after the course it is asked, "
                             "e.g. weeks: 12")
        return self

    def tp(self, tp_id: str) -> TimePoint:
        return next(t for t in self.time_points if t.id == tp_id)

    @property
    def tp_ids(self) -> list[str]:
        return [t.id for t in self.time_points]

    @property
    def double_baseline(self) -> bool:
        return {"t0", "t1", "t2"} <= set(self.tp_ids)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """The before→after comparisons reported for this course, in reading order."""
        wanted = [("t1", "t2"), ("t1", "t3"), ("t2", "t3"), ("t0", "t1")]
        return [p for p in wanted if set(p) <= set(self.tp_ids)]


# ---------------------------------------------------------------------------------------------
# Benchmarks

BenchmarkStatistic = Literal["n", "mean", "sd", "mean_change", "d", "dz", "p", "pct_improved", "direction"]


class Benchmark(Strict):
    """A published finding to compare with; ``value`` is left empty when we do not have it."""

    course: Id
    scale: Id
    statistic: BenchmarkStatistic
    pair: str | None = Field(default=None, pattern=r"^t[0-3]_t[0-3]$")
    value: float | None = None
    n: int | None = Field(default=None, ge=1)
    direction: Literal["rose", "fell", "no change"] | None = None
    significance: str | None = None
    citation: str
    note: LongText | None = None
    source: str = "research"

    # Quoted as published, but in the toolkit's one number style ("p < 0.001", not "p < .001").
    _significance_style = field_validator("significance")(
        lambda value: None if value is None else with_leading_zeros(value))


class BenchmarksFile(Strict):
    kind: Literal["benchmarks"] = "benchmarks"
    citations: dict[str, str] = Field(default_factory=dict)
    benchmarks: list[Benchmark] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Partnership settings


def _check_logo(path: str) -> str:
    if not re.search(r"\.(png|jpe?g)$", path, flags=re.IGNORECASE):
        raise ValueError(f"'{path}' is not a PNG or JPEG file: give the path of the partnership's logo as a "
                         ".png or .jpg file, relative to the settings file")
    return path


class Settings(Strict):
    """The partnership's own details; every field has a default so no file is needed.

    The letters print a plainly unfilled placeholder for each of the partnership's details
    the file leaves out (see :mod:`connect_share_learn.letter_context`), not these defaults.
    """

    kind: Literal["settings"] = "settings"
    partnership: Title = "Your Local Safeguarding Children Partnership"
    coordinator: str | None = None
    contact: str = "the partnership's training team"
    return_address: LongText = "the training team at your safeguarding partnership"
    # The privacy notice's lawful basis, and whom to ask about data protection.
    lawful_basis: LongText = ("Under UK data protection law (the UK GDPR), our lawful basis for using this "
                              "information is public task (Article 6(1)(e)): it is necessary for a task carried "
                              "out in the public interest or in the exercise of our official functions.")
    dpo_contact: str | None = None
    # The partnership's logo: a PNG or JPEG file, relative to the settings file (see logo.py).
    logo: Annotated[str, AfterValidator(_check_logo)] | None = None
    follow_up_weeks: int | None = Field(default=None, ge=1, le=104)
    capacity: int = Field(default=DEFAULT_CAPACITY, ge=MIN_CAPACITY, le=MAX_CAPACITY)
    # The edition's language; a list ([cy, en]) or "cy,en" makes a bilingual edition, the first
    # language first. ``language`` is then the first, ``languages`` all of them.
    language: Language = "en"
    languages: tuple[Language, ...] = ()
    retention: LongText = "two years after the end of the course"

    @model_validator(mode="before")
    @classmethod
    def _bilingual(cls, data):
        if isinstance(data, dict) and not isinstance(data.get("language", "en"), str) or (
                isinstance(data, dict) and "," in str(data.get("language", ""))):
            given = data["language"]
            codes = [c.strip() for c in (given.split(",") if isinstance(given, str) else given)]
            if len(codes) != len(set(codes)) or not codes:
                raise ValueError("'language' names a language twice: give each once, e.g. language: [cy, en]")
            data = {**data, "language": codes[0], "languages": tuple(codes)}
        return data

    @property
    def editions(self) -> tuple[str, ...]:
        """Every language of the edition, the first first: ("cy", "en"), or ("en",)."""
        return self.languages or (self.language,)

    def given(self, name: str) -> bool:
        """Whether the settings file gave ``name``: a default is a stand-in, never to be shown as
        the partnership's own (a document's author, a questionnaire's letterhead)."""
        return name in self.model_fields_set and bool(getattr(self, name))

    @property
    def author(self) -> str:
        """Who a document is by, in its properties: the partnership, once given."""
        return text(self.partnership, self.language) if self.given("partnership") else "connect-share-learn"
    # The scale whose rise "cost per participant who improved" counts.
    improvement_scale: Id = "self_efficacy"
