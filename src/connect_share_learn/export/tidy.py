"""The long ("tidy") table every export format writes: one row per participant × time point.

Only used rows of readable workbooks are in it (the rest are in quality.csv). An answer is
exported as typed when it is valid under the same rules the scores use (:mod:`stats`);
a blank is ``None``, an answer that is not valid is :data:`NOT_VALID` (its cell is in
quality.csv) and a question not asked at that time point is :data:`NOT_ASKED`. Scale scores are the reader's, computed by ``stats.score``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import yaml

from connect_share_learn import stats
from connect_share_learn.analyse.returned import ReturnedWorkbook
from connect_share_learn.defaults import default_dir
from connect_share_learn.export.pseudonyms import Pseudonyms
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import text


class _NotValid:
    """An answer was typed but is not valid (it is reported in quality.csv)."""

    def __repr__(self) -> str:
        return "NOT_VALID"


NOT_VALID = _NotValid()


class _NotAsked:
    """The question is not asked at this time point (of this course type): blank everywhere."""

    def __repr__(self) -> str:
        return "NOT_ASKED"


NOT_ASKED = _NotAsked()

# Stata's limit on a variable name; SPSS allows 64 and R any, so one name fits all three.
MAX_NAME = 32
# Words SPSS or Stata reserve as variable names (compared case-blind).
RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with", "_all", "_b",
            "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n", "_pi", "_pred", "_rc",
            "_se", "_skip", "str", "strl", "using", "_N"}


@dataclass(frozen=True)
class Column:
    """One column of the table, with what the codebook says about it."""

    name: str  # the same in every format
    source: str  # the workbook column id, the scale id, or the name of a course-level column
    label: str
    type: str  # "text", "integer" (counts and codes), "number" (ratings and scores) or "date"
    role: str  # "identifier", "course", "profile", "item", "text", "score"
    values: dict[int, str] = field(default_factory=dict)
    scale: str = ""
    reverse: bool | None = None
    key: int | None = None
    time_points: str = ""


@dataclass
class TidyTable:
    columns: list[Column]
    data: dict[str, list]  # column name → one value per row

    @property
    def rows(self) -> int:
        return len(next(iter(self.data.values()), []))


@functools.lru_cache(maxsize=1)
def wording() -> dict:
    """Labels of the fixed columns and the missing-value codes (templates/export/columns.yaml)."""
    return yaml.safe_load((default_dir("templates") / "export" / "columns.yaml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Columns


def columns(toolkit: Toolkit, course_ids: list[str], keep_codes: bool, include_text: bool) -> list[Column]:
    """Course-level columns, profile answers, every item of the courses given, then every scale score."""
    words = wording()
    lang = toolkit.settings.language
    names = _Names()
    ident = "code" if keep_codes else "person"
    out = [Column(names.add(ident), ident, words[ident], "text", "identifier"),
           Column(names.add("duplicate_code"), "duplicate_code", words["duplicate_code"], "integer", "identifier",
                  {int(k): v for k, v in words["yes_no"].items()})]
    out += [Column(names.add("workbook"), "workbook", words["workbook"], "integer", "course")]
    for name in ("course_type", "course_title", "partnership"):
        out.append(Column(names.add(name), name, words[name], "text", "course"))
    out.append(Column(names.add("course_date"), "course_date", words["course_date"], "date", "course"))
    out.append(Column(names.add("time_point"), "time_point", words["time_point"], "text", "course"))
    courses = [toolkit.courses[c] for c in toolkit.courses if c in course_ids]
    for q in toolkit.profile.questions:
        out.append(Column(names.add(q.id), q.id, text(q.text, lang), "integer", "profile",
                          {o.code: text(o.label, lang) for o in q.options}))
    seen: dict[str, list[str]] = {}
    scales = []
    for course in courses:
        for scale in toolkit.course_scales(course):
            if scale.id not in seen:
                scales.append(scale)
            tps = seen.setdefault(scale.id, [])
            tps += [tp for tp in toolkit.time_points_of(course, scale) if tp not in tps]
    for scale in scales:
        fmt = toolkit.format_of(scale)
        tps = " ".join(sorted(seen[scale.id]))
        if fmt.kind == "text":
            if include_text:
                out += [Column(names.add(i.id), i.id, text(i.text, lang), "text", "text", scale=scale.id,
                               time_points=tps) for i in scale.items]
            continue
        labels = {o.code: text(o.label, lang) for o in fmt.answers()}
        # A rating is a number (any value in range is valid, design.md); a choice is a code.
        kind = "number" if fmt.kind == "rating" else "integer"
        out += [Column(names.add(i.id), i.id, text(i.text, lang), kind, "item", labels, scale.id,
                       i.reverse, i.key, tps) for i in scale.items]
    for scale in scales:
        if scale.scored:
            label = words["score"].format(title=text(scale.title, lang), scoring=words["scoring"][scale.scoring])
            out.append(Column(names.add(scale.id, suffix="_score"), scale.id, label, "number", "score", scale=scale.id,
                              time_points=" ".join(sorted(seen[scale.id]))))
    return out


class _Names:
    """Variable names that SPSS, Stata and R all accept, unique within the table."""

    def __init__(self):
        self.used: set[str] = set()

    def add(self, wanted: str, suffix: str = "") -> str:
        """``wanted`` + ``suffix``, the stem shortened when too long so the suffix still shows."""
        name = re.sub(r"[^A-Za-z0-9_]", "_", wanted)[:MAX_NAME - len(suffix)].rstrip("_") + suffix
        if not name or not (name[0].isalpha()):
            name = "v_" + name
        if name.lower() in {w.lower() for w in RESERVED}:
            name += "_"
        name = name[:MAX_NAME]
        n = 1
        candidate = name
        while candidate.lower() in self.used:
            n += 1
            candidate = f"{name[:MAX_NAME - 1 - len(str(n))]}_{n}"
        self.used.add(candidate.lower())
        return candidate


# ---------------------------------------------------------------------------------------------
# Rows


def build(toolkit: Toolkit, books: list[ReturnedWorkbook], pseudonyms: Pseudonyms | None,
          include_text: bool = False) -> TidyTable:
    """The table of every used row of the readable ``books`` (read with ``keep_answers``).

    ``pseudonyms`` None keeps the participant codes as typed (normalised).
    """
    readable = [b for b in books if not b.refused]
    cols = columns(toolkit, sorted({b.course for b in readable}), pseudonyms is None, include_text)
    data: dict[str, list] = {c.name: [] for c in cols}
    by_role: dict[str, list[Column]] = {}
    for c in cols:
        by_role.setdefault(c.role, []).append(c)
    ident, dup = by_role["identifier"]
    profile_cols = [(c, {o.code for o in next(q for q in toolkit.profile.questions if q.id == c.source).options})
                    for c in by_role.get("profile", [])]
    item_cols = by_role.get("item", [])
    text_cols = by_role.get("text", [])
    score_cols = by_role.get("score", [])
    put = {c.name: data[c.name].append for c in cols}
    item_checks = []
    for c in item_cols:
        scale = toolkit.scales[c.scale]
        fmt = toolkit.format_of(scale)
        codes = fmt.codes if scale.knowledge else fmt.points
        item_checks.append((c, {float(x): x for x in codes}, scale, fmt))
    for number, book in enumerate(books, start=1):
        if book.refused:
            continue
        if book.answers is None:
            raise ValueError("the workbooks were read without keep_answers")
        course = toolkit.courses[book.course]
        asked = {tp: {i.id for s in toolkit.scales_at(course, tp) for i in s.items} for tp in course.tp_ids}
        details = book.details
        used = [r for r in book.responses if r.used]
        book_codes = {r.code for r in book.responses if r.code} if text_cols else set()
        dupes: dict[str, set[str]] = {}
        for tp in course.tp_ids:
            dupes[tp] = stats.duplicate_codes(r.code for r in book.responses if r.tp == tp)
        for r in used:
            raw = book.answers.get((r.tp, r.row), {})
            if r.code is None:
                put[ident.name](None)
            else:
                put[ident.name](r.code if pseudonyms is None else pseudonyms.of(book.sha256 or book.file, r.code))
            put[dup.name](1 if r.code is not None and r.code in dupes[r.tp] else 0)
            put["workbook"](number)
            put["course_type"](course.id)
            put["course_title"](details.title)
            put["partnership"](details.partnership)
            put["course_date"](details.start_date)
            put["time_point"](r.tp)
            for c, codes in profile_cols:  # asked where the sheet has the column: the first time point
                put[c.name](_coded(raw.get(c.source), codes) if c.source in r.profile else NOT_ASKED)
            for c, valid, scale, fmt in item_checks:
                if c.source not in asked[r.tp]:
                    put[c.name](NOT_ASKED)
                    continue
                v = raw.get(c.source)
                known = valid.get(v) if v.__class__ is float else None  # the common case, quickly
                put[c.name](known if known is not None else _item(scale, fmt, v))
            for c in text_cols:
                v = _text(raw.get(c.source)) if c.source in asked[r.tp] else None
                # A participant code typed as a comment must not slip out, as in quality.csv.
                put[c.name](None if v is not None and stats.normalise_code(v) in book_codes else v)
            for c in score_cols:
                put[c.name](r.scores.get(c.source))
    return TidyTable(cols, data)


def _number(x: float) -> int | float:
    return int(x) if x.is_integer() else x


def _coded(raw, codes: set[int]):
    if raw is None:
        return None
    x = stats.as_number(raw)
    return int(x) if x is not None and x in codes else NOT_VALID


def _item(scale, fmt, raw):
    if raw is None:
        return None
    x = stats.as_number(raw)
    if x is None:
        return NOT_VALID
    if scale.knowledge:
        return _number(x) if x in fmt.codes else NOT_VALID
    return _number(x) if fmt.min <= x <= fmt.max else NOT_VALID


def _text(raw) -> str | None:
    if isinstance(raw, str):
        return raw.strip() or None
    if isinstance(raw, float) and not isinstance(raw, bool):
        return str(_number(raw))
    return None
