"""Loading the specification: files → validated models → one immutable :class:`Toolkit`.

User files are laid over the embedded defaults by id: a scale, course or format with the
same id as a default replaces it, a new id is added, benchmarks are added to the defaults'.
Every problem in every file is collected before anything is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from connect_share_learn.defaults import default_dir
from connect_share_learn.errors import Problem, SpecError
from connect_share_learn.spec.kinds import KINDS, NAMES, Source, decide
from connect_share_learn.spec.messages import LIST_FORMATS, correct_to, validation_problems
from connect_share_learn.spec.model import (
    Benchmark, BenchmarksFile, Course, ProfileFile, ResponseFormat,
    ResponseFormatsFile, Scale, Settings,
)
from connect_share_learn.spec.toolkit import Toolkit
from connect_share_learn.spec.yaml_source import MAX_BYTES, YamlDocument, read_yaml

KIND_MODELS: dict[str, type[BaseModel]] = {
    "scale": Scale, "response_formats": ResponseFormatsFile, "profile": ProfileFile,
    "course": Course, "benchmarks": BenchmarksFile, "settings": Settings,
}


# ---------------------------------------------------------------------------------------------
# Public entry points


def load_toolkit(
    scales: Path | None = None,
    courses: Path | None = None,
    benchmarks: Path | None = None,
    config: Path | None = None,
    extra_files: Iterable[Path] = (),
) -> Toolkit:
    """Load the defaults, lay the user's folders and files over them, and cross-check.

    A file's kind comes from its own 'kind:', the option it was given with, or (for
    ``extra_files``) a folder inside the path given, and its keys: see :mod:`.kinds`.
    Raises :class:`SpecError` listing every problem found.
    """
    problems: list[Problem] = []
    sources = _sources(problems, scales=scales, courses=courses, benchmarks=benchmarks, config=config,
                       extra_files=extra_files)
    files, unreadable = _read_files(sources, problems)
    toolkit, more = _assemble(files, unreadable)
    problems += more
    if problems:
        raise SpecError(problems)
    return toolkit


def validate_paths(paths: list[Path]) -> Toolkit:
    """Check the given files and folders laid over the defaults (``csl validate``)."""
    return load_toolkit(extra_files=paths)


def available_formats(paths: list[Path]) -> list[tuple[ResponseFormat, str]]:
    """Every response format a scale may name, with the file that defines it (a built-in one by
    its full path), the given files and folders laid over the defaults. Files with problems are
    left out: validating them says why."""
    files, _ = _read_files(_sources([], extra_files=paths), [])
    formats: dict[str, tuple[ResponseFormat, str]] = {}
    for read in files:
        if read.kind == "response_formats":
            shown = f"built in: {read.source.path}" if read.source.built_in else read.doc.file
            formats.update((fmt.id, (fmt, shown)) for fmt in read.model.formats)
    return list(formats.values())


# ---------------------------------------------------------------------------------------------
# Reading files


@dataclass(frozen=True)
class _Read:
    """A file read and validated as one kind of file."""

    kind: str
    model: BaseModel
    doc: YamlDocument
    source: Source


def _sources(problems: list[Problem], scales: Path | None = None, courses: Path | None = None,
             benchmarks: Path | None = None, config: Path | None = None, extra_files: Iterable[Path] = ()
             ) -> list[Source]:
    """The defaults' files, then the user's, each with how it was given."""
    found = [Source(path, option=option, built_in=True)
             for option in ("scales", "courses", "benchmarks") for path in _yaml_files(default_dir(option))]
    for option, folder in (("scales", scales), ("courses", courses), ("benchmarks", benchmarks)):
        if folder is not None:
            found += [Source(path, option=option, given=folder) for path in _expand(folder, problems)]
    for path in extra_files:
        found += [Source(each, given=path if path.is_dir() else None) for each in _expand(path, problems)]
    if config is not None:
        found.append(Source(config, option="config"))
    return found


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".yaml", ".yml") and p.is_file())


def _expand(path: Path, problems: list[Problem]) -> list[Path]:
    if path.is_dir():
        found = _yaml_files(path)
        if not found:
            problems.append(Problem(str(path), None, "", "the folder holds no .yaml files",
                                    "check the folder name, or put your scale and course files in it"))
        return found
    if not path.exists():
        problems.append(Problem(str(path), None, "", "no such file or folder", "check the path"))
        return []
    return [path]


def _read_files(sources: list[Source], problems: list[Problem]) -> tuple[list[_Read], set[str]]:
    """Parse, classify and validate each file. Returns the good ones, and the ids the others
    define or seem to: references to those are not reported again as missing."""
    base = default_dir("scales").parent
    out: list[_Read] = []
    unreadable: set[str] = set()
    for source in sources:
        display = str(source.path.relative_to(base)) if source.built_in else str(source.path)
        doc, found = read_yaml(source.path, display)
        problems.extend(found)
        if doc is None:
            unreadable |= _ids_written(source.path)
            continue
        read, found = _classify(source, doc)
        problems.extend(found)
        if read is None:
            unreadable |= _ids_defined(doc.data)
        else:
            out.append(read)
    return out, unreadable


def _classify(source: Source, doc: YamlDocument) -> tuple[_Read | None, list[Problem]]:
    """The file read as the kind it defines, or the problems that stop it."""
    if not isinstance(doc.data, dict):
        return None, [doc.problem((), "the file must be a set of 'key: value' fields",
                                  "start with 'id:' and 'title:' as the example files do")]
    decision = decide(source, doc.data)
    if decision.doubt:
        return None, [doc.problem((), *decision.doubt)]
    kind = decision.kind
    if kind not in KIND_MODELS:
        return None, [doc.problem(("kind",), f"'{kind}' is not a kind of file",
                                  correct_to(str(kind), KINDS, f"use one of {', '.join(KINDS)}"))]
    model = KIND_MODELS[kind]
    if decision.where and not set(doc.data) & set(model.model_fields):
        return None, [doc.problem((), f"none of this file's keys belongs to {NAMES[kind]} (it was read as "
                                      f"{NAMES[kind]} because {decision.where})",
                                  "add 'kind:' at the top naming what it defines, or move it out of the folder")]
    try:
        return _Read(kind, model.model_validate({"kind": kind, **doc.data}), doc, source), []
    except ValidationError as exc:
        return None, validation_problems(exc, doc, model)


def _ids_defined(data: Any) -> set[str]:
    """The ids of the scale, course or formats in a file's data."""
    if not isinstance(data, dict):
        return set()
    formats = data.get("formats") if isinstance(data.get("formats"), list) else []
    ids = [data.get("id")] + [f.get("id") for f in formats if isinstance(f, dict)]
    return {i for i in ids if isinstance(i, str)}


def _ids_written(path: Path) -> set[str]:
    """The ids written in a file that could not be parsed, read as plainly as possible."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES)
    except OSError:
        return set()
    return {m.decode("ascii") for m in re.findall(rb"(?<![\w-])id:[ \t]*[\"']?([a-z][a-z0-9_]*)", raw)}


# ---------------------------------------------------------------------------------------------
# Assembling and cross-checking


def _assemble(files: list[_Read], unreadable: set[str]) -> tuple[Toolkit, list[Problem]]:
    """Lay the user's files over the defaults by id and cross-check them. References to an id in
    ``unreadable`` (a file that could not be read) are not reported: the file's own problem is."""
    problems: list[Problem] = []
    formats: dict[str, tuple[ResponseFormat, YamlDocument, tuple]] = {}
    scales: dict[str, tuple[Scale, YamlDocument]] = {}
    courses: dict[str, tuple[Course, YamlDocument]] = {}
    profile: tuple[ProfileFile, YamlDocument] | None = None
    benchmarks: list[tuple[Benchmark, YamlDocument, int, bool]] = []
    citations: dict[str, str] = {}
    settings, settings_doc = Settings(), None
    sources: list[str] = []

    for layer in ([f for f in files if f.source.built_in], [f for f in files if not f.source.built_in]):
        defined_here: dict[tuple[str, str], YamlDocument] = {}

        def claim(kind: str, ident: str, doc: YamlDocument, path: tuple, defined_here=defined_here) -> bool:
            other = defined_here.get((kind, ident))
            if other is not None:
                problems.append(doc.problem(path, f"the {kind} id '{ident}' is already defined in {other.file}",
                                            "give one of them another id, or delete one"))
                return False
            defined_here[(kind, ident)] = doc
            return True

        for read in layer:
            kind, model, doc = read.kind, read.model, read.doc
            sources.append(doc.file)
            if kind == "response_formats":
                for i, fmt in enumerate(model.formats):
                    if claim("format", fmt.id, doc, ("formats", i, "id")):
                        formats[fmt.id] = (fmt, doc, ("formats", i))
            elif kind == "scale":
                if claim("scale", model.id, doc, ("id",)):
                    scales[model.id] = (model, doc)
            elif kind == "course":
                if claim("course", model.id, doc, ("id",)):
                    courses[model.id] = (model, doc)
            elif kind == "profile":
                if claim("profile", "profile", doc, ()):
                    profile = (model, doc)
            elif kind == "benchmarks":
                citations.update(model.citations)
                benchmarks.extend((b, doc, i, read.source.built_in) for i, b in enumerate(model.benchmarks))
            elif kind == "settings":
                settings, settings_doc = model, doc

    if profile is None:
        problems.append(Problem("scales/", None, "", "no profile questions are defined",
                                "add a file with 'kind: profile' (see scales/profile.yaml)"))
    warnings: list[Problem] = []
    problems += _check_scales(scales, formats, unreadable, warnings)
    problems += _check_courses(courses, scales, profile, unreadable)
    if profile is not None:
        problems += _check_profile(*profile)
    # A built-in research finding that no longer fits the user's courses is set aside with a
    # warning: the user cannot edit the built-in file, so it must not block their build.
    kept_built_in = []
    for entry in (entry for entry in benchmarks if entry[3]):
        found = _check_benchmarks([entry[:3]], courses, scales, citations, set(), [])
        if found:
            warnings.append(Problem(found[0].file, found[0].line, found[0].path,
                                    f"this built-in research finding is left out: {found[0].message}",
                                    "nothing to do unless you want it; your own courses and scales decide"))
        else:
            kept_built_in.append(entry)
    benchmarks = kept_built_in + [entry for entry in benchmarks if not entry[3]]
    problems += _check_benchmarks([entry[:3] for entry in benchmarks], courses, scales, citations, unreadable,
                                  warnings)
    if settings.improvement_scale not in scales and settings.improvement_scale not in unreadable:
        problems.append(Problem(settings_doc.file if settings_doc else "settings",
                                settings_doc.line_of(("improvement_scale",)) if settings_doc else None,
                                "improvement_scale", f"there is no scale '{settings.improvement_scale}'",
                                correct_to(settings.improvement_scale, scales,
                                           "name the scale whose rise the Costs sheet counts")))
    if not courses:
        problems.append(Problem("courses/", None, "", "no course types are defined",
                                "add a course file (see courses/foundation.yaml)"))
    toolkit = Toolkit(
        formats={k: v[0] for k, v in formats.items()},
        scales={k: v[0] for k, v in scales.items()},
        profile=profile[0] if profile else None,  # type: ignore[arg-type]
        courses={k: v[0] for k, v in courses.items()},
        benchmarks=tuple(entry[0] for entry in benchmarks),
        citations=citations,
        settings=settings,
        warnings=tuple(warnings),
        sources=tuple(sources),
    )
    return toolkit, problems


def _check_scales(scales, formats, unreadable: set[str], warnings) -> list[Problem]:
    problems = []
    for scale, doc in scales.values():
        if scale.format not in formats:
            if scale.format not in unreadable:
                problems.append(doc.problem(("format",), f"there is no response format '{scale.format}'",
                                            correct_to(scale.format, formats, f"use a format listed by '{LIST_FORMATS}', "
                                                                              "or add your own (see the README)")))
            continue
        fmt = formats[scale.format][0]
        if scale.knowledge and fmt.kind != "choice":
            problems.append(doc.problem(("format",), f"a 'percent_correct' scale needs a choice format, and "
                                                     f"'{fmt.id}' is a {fmt.kind} format",
                                        "use a choice format such as 'true_false'"))
        elif scale.scoring in ("mean", "sum") and fmt.kind != "rating":
            problems.append(doc.problem(("scoring",), f"'{scale.scoring}' scoring needs a rating format, and "
                                                      f"'{fmt.id}' is a {fmt.kind} format",
                                        "use a rating format, or 'percent_correct' for knowledge questions"))
        elif fmt.kind == "text" and scale.scored:
            problems.append(doc.problem(("scoring",), "free-text answers cannot be scored", "set 'scoring: none'"))
        elif not scale.scored and fmt.kind != "text":
            problems.append(doc.problem(("scoring",), "only free-text scales can be left unscored",
                                        "set 'scoring' to mean, sum or percent_correct"))
        if scale.knowledge:
            codes = [o.code for o in fmt.options]
            for i, item in enumerate(scale.items):
                if item.key not in codes:
                    problems.append(doc.problem(("items", i, "key"),
                                                f"the key {item.key} is not one of the options of '{fmt.id}'",
                                                f"use one of {', '.join(map(str, codes))}"))
        if fmt.agreement and scale.scored and len(scale.items) > 2 and not any(i.reverse for i in scale.items):
            warnings.append(doc.problem(("items",), "no item is reverse-scored, so agreeing with everything cannot "
                                                    "be told apart from real agreement",
                                        "consider wording one or two items the other way and marking them "
                                        "'reverse: true'"))
    return problems


def _check_courses(courses, scales, profile, unreadable: set[str]) -> list[Problem]:
    problems = []
    profile_ids = {q.id for q in profile[0].questions} if profile else set()
    for course, doc in courses.values():
        owner_of_item: dict[str, str] = {}
        for t_index, tp in enumerate(course.time_points):
            if len(tp.scales) != len(set(tp.scales)):
                problems.append(doc.problem(("time_points", t_index, "scales"),
                                            "a scale is listed twice at this time point", "list each scale once"))
            for s_index, sid in enumerate(tp.scales):
                where = ("time_points", t_index, "scales", s_index)
                if sid not in scales:
                    if sid not in unreadable:
                        problems.append(doc.problem(where, f"there is no scale '{sid}'", correct_to(
                            sid, scales, "add a scale file with that id, or correct the name")))
                    continue
                for item in scales[sid][0].items:
                    other = owner_of_item.setdefault(item.id, sid)
                    if other != sid:
                        problems.append(doc.problem(where, f"the item id '{item.id}' is used by both '{other}' and "
                                                           f"'{sid}'; item ids become the workbook's column ids",
                                                    "give the items of one scale different ids"))
                    if item.id in profile_ids:
                        problems.append(doc.problem(where, f"the item id '{item.id}' of '{sid}' is also a profile "
                                                           "question's id", "rename the item"))
    return problems


def _check_profile(profile: ProfileFile, doc: YamlDocument) -> list[Problem]:
    problems = []
    ids = [q.id for q in profile.questions]
    if profile.agency not in ids:
        problems.append(doc.problem(("agency",), f"there is no profile question '{profile.agency}'", correct_to(
            profile.agency, ids, "name the question that asks for the participant's agency")))
    elif profile.gp_code is not None:
        codes = [o.code for o in next(q for q in profile.questions if q.id == profile.agency).options]
        if profile.gp_code not in codes:
            problems.append(doc.problem(("gp_code",), f"{profile.gp_code} is not one of the agency options",
                                        f"use the code of the GP option ({', '.join(map(str, codes))})"))
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        problems.append(doc.problem(("questions",), f"question ids repeated: {', '.join(sorted(dupes))}",
                                    "give each question its own id"))
    return problems


def _check_benchmarks(benchmarks, courses, scales, citations, unreadable: set[str], warnings) -> list[Problem]:
    problems = []
    for bench, doc, i in benchmarks:
        base = ("benchmarks", i)
        if bench.course not in courses:
            if bench.course not in unreadable:
                problems.append(doc.problem(base + ("course",), f"there is no course type '{bench.course}'",
                                            correct_to(bench.course, courses, f"use one of {', '.join(courses)}")))
        elif bench.scale not in scales:
            if bench.scale not in unreadable:
                problems.append(doc.problem(base + ("scale",), f"there is no scale '{bench.scale}'",
                                            correct_to(bench.scale, scales, "use the id of a scale the course asks")))
        else:
            course = courses[bench.course][0]
            asked = [tp.id for tp in course.time_points if bench.scale in tp.scales]
            if not asked:
                problems.append(doc.problem(base + ("scale",), f"the course '{bench.course}' does not ask the scale "
                                                               f"'{bench.scale}'",
                                            "add the scale to the course or correct the benchmark"))
            elif bench.pair:
                a, b = bench.pair.split("_")
                if not {a, b} <= set(asked):
                    problems.append(doc.problem(base + ("pair",), f"the scale '{bench.scale}' is not asked at both "
                                                                  f"{a} and {b} in '{bench.course}'",
                                                f"use a pair of {', '.join(asked)}"))
        if bench.citation not in citations and len(bench.citation) < 25:
            problems.append(doc.problem(base + ("citation",), f"there is no citation '{bench.citation}'", correct_to(
                bench.citation, citations, "add it under 'citations:' or write the reference in full")))
        if bench.value is None and bench.statistic != "direction":
            warnings.append(doc.problem(base, f"no value for {bench.course} / {bench.scale} / {bench.statistic}",
                                        "the workbook leaves a cell for the user to type the published value"))
    return problems
