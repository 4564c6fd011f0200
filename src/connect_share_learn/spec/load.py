"""Loading the specification: files → validated models → one immutable :class:`Toolkit`.

User files are laid over the embedded defaults by id: a scale, course or format with the
same id as a default replaces it, a new id is added, benchmarks are added to the defaults'.
Every problem in every file is collected before anything is reported.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from connect_share_learn.defaults import default_dir
from connect_share_learn.errors import Problem, SpecError
from connect_share_learn.spec.model import (
    Benchmark, BenchmarksFile, Course, ProfileFile, ResponseFormat,
    ResponseFormatsFile, Scale, Settings,
)
from connect_share_learn.spec.yaml_source import YamlDocument, read_yaml

FOLDER_KINDS = {"scales": "scale", "courses": "course", "benchmarks": "benchmarks"}
KIND_MODELS: dict[str, type[BaseModel]] = {
    "scale": Scale, "response_formats": ResponseFormatsFile, "profile": ProfileFile,
    "course": Course, "benchmarks": BenchmarksFile, "settings": Settings,
}


@dataclass(frozen=True)
class Toolkit:
    """Everything every renderer needs, validated and cross-checked."""

    formats: dict[str, ResponseFormat]
    scales: dict[str, Scale]
    profile: ProfileFile
    courses: dict[str, Course]
    benchmarks: tuple[Benchmark, ...]
    citations: dict[str, str]
    settings: Settings
    warnings: tuple[Problem, ...] = ()
    sources: tuple[str, ...] = ()

    # -- navigation ---------------------------------------------------------------------------

    def format_of(self, scale: Scale) -> ResponseFormat:
        return self.formats[scale.format]

    def course_scales(self, course: Course) -> list[Scale]:
        """The scales a course asks, in the order they are first asked."""
        seen: dict[str, Scale] = {}
        for tp in course.time_points:
            for sid in tp.scales:
                seen.setdefault(sid, self.scales[sid])
        return list(seen.values())

    def scales_at(self, course: Course, tp_id: str) -> list[Scale]:
        return [self.scales[s] for s in course.tp(tp_id).scales]

    def time_points_of(self, course: Course, scale: Scale) -> list[str]:
        return [tp.id for tp in course.time_points if scale.id in tp.scales]

    def follow_up_weeks(self, course: Course) -> int | None:
        if "t3" not in course.tp_ids:
            return None
        return self.settings.follow_up_weeks or course.tp("t3").weeks

    def course_benchmarks(self, course: Course) -> list[Benchmark]:
        return [b for b in self.benchmarks if b.course == course.id]

    @property
    def spec_hash(self) -> str:
        """SHA-256 of what the data's shape depends on: formats, profile, scales and courses."""
        return spec_hash(self)


def spec_hash(toolkit: Toolkit) -> str:
    payload = {
        "formats": {k: v.model_dump(mode="json") for k, v in sorted(toolkit.formats.items())},
        "profile": toolkit.profile.model_dump(mode="json"),
        "scales": {k: v.model_dump(mode="json") for k, v in sorted(toolkit.scales.items())},
        "courses": {k: v.model_dump(mode="json") for k, v in sorted(toolkit.courses.items())},
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


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

    Raises :class:`SpecError` listing every problem found.
    """
    problems: list[Problem] = []
    failed_ids: set[str] = set()
    layers: list[list[tuple[str, Any, YamlDocument]]] = []
    defaults = [f for kind in FOLDER_KINDS for f in _yaml_files(default_dir(kind))]
    layers.append(_read_files(defaults, problems, failed_ids, base=default_dir("scales").parent))
    user_files: list[Path] = []
    for folder in (scales, courses, benchmarks):
        if folder is not None:
            user_files.extend(_expand(folder, problems))
    for path in extra_files:
        user_files.extend(_expand(path, problems))
    if config is not None:
        user_files.append(config)
    layers.append(_read_files(user_files, problems, failed_ids, forced={config: "settings"} if config else {}))
    # Files that failed are left out; references to their ids are not reported again.
    toolkit, more = _assemble(layers)
    problems += [p for p in more if not _refers_to(p, failed_ids)]
    if problems:
        raise SpecError(problems)
    return toolkit


def validate_paths(paths: list[Path]) -> Toolkit:
    """Check the given files and folders laid over the defaults (``csl validate``)."""
    return load_toolkit(extra_files=paths)


# ---------------------------------------------------------------------------------------------
# Reading files


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


def _kind_of(path: Path, data: Any, forced: str | None) -> str | None:
    if forced:
        return forced
    if isinstance(data, dict) and isinstance(data.get("kind"), str):
        return data["kind"]
    for parent in path.resolve().parents:
        if parent.name in FOLDER_KINDS:
            return FOLDER_KINDS[parent.name]
    return None


def _refers_to(problem: Problem, ids: set[str]) -> bool:
    match = re.match(r"there is no [a-z ]+'([^']+)'", problem.message)
    return bool(match and match.group(1) in ids)


def _read_files(paths: list[Path], problems: list[Problem], failed_ids: set[str], base: Path | None = None,
                forced: dict | None = None) -> list[tuple[str, Any, YamlDocument]]:
    """Parse and validate each file; return (kind, model, document) for the good ones."""
    out = []
    forced = forced or {}
    for path in paths:
        display = str(path.relative_to(base)) if base else str(path)
        doc, found = read_yaml(path, display)
        problems.extend(found)
        if doc is None:
            continue
        if not isinstance(doc.data, dict):
            problems.append(Problem(display, 1, "", "the file must be a set of 'key: value' fields",
                                    "start with 'id:' and 'title:' as the example files do"))
            continue
        kind = _kind_of(path, doc.data, forced.get(path))
        if kind not in KIND_MODELS:
            guess = _did_you_mean(str(kind), KIND_MODELS)
            problems.append(Problem(display, doc.line_of(("kind",)), "kind",
                                    f"cannot tell what this file defines (kind: {kind})",
                                    f"put it in a scales/, courses/ or benchmarks/ folder or add "
                                    f"'kind: scale' (or {', '.join(sorted(KIND_MODELS))}){guess}"))
            continue
        model = KIND_MODELS[kind]
        data = dict(doc.data)
        if kind in ("response_formats", "profile") or "kind" in model.model_fields:
            data.setdefault("kind", kind)
        try:
            out.append((kind, model.model_validate(data), doc))
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, doc, model))
            if isinstance(doc.data.get("id"), str):
                failed_ids.add(doc.data["id"])
    return out


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that owns the last key of ``loc``, to suggest its field names."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        fld = getattr(current, "model_fields", {}).get(part)
        if fld is None:
            return None
        current = _inner_model(fld.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _pydantic_problems(exc: ValidationError, doc: YamlDocument, model: type[BaseModel]) -> list[Problem]:
    problems: dict[tuple, Problem] = {}
    errors = exc.errors()
    # A misspelt key shows up twice: as unknown, and as the field it meant being missing.
    misspelt = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            owner = _model_at(model, err["loc"])
            close = difflib.get_close_matches(str(err["loc"][-1]), list(owner.model_fields) if owner else [], n=1, cutoff=0.6)
            misspelt.update(err["loc"][:-1] + (c,) for c in close)
    for err in errors:
        if err["type"] == "missing" and tuple(err["loc"]) in misspelt:
            continue
        # Union branches (plain text or a mapping of languages) add their names to the path.
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and (p in ("str",) or p.startswith("dict["))))
        if loc in problems:
            continue
        path = ".".join(str(p) for p in loc)
        line = doc.line_of(loc)
        kind = err["type"]
        msg = err["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            owner = _model_at(model, loc)
            names = owner.model_fields if owner else {}
            message = f"unknown field '{loc[-1]}'"
            hint = ("remove it" + _did_you_mean(str(loc[-1]), names)) if names else "remove it"
        elif kind == "missing":
            message, hint = f"'{loc[-1]}' is missing", f"add '{loc[-1]}: …'"
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            message = f"'{err['input']}' is not allowed here"
            allowed = [e.strip().strip("'") for e in expected.replace(" or ", ",").split(",") if e.strip()]
            hint = f"use one of {expected}" + _did_you_mean(str(err["input"]), allowed)
        elif kind == "value_error" and ": " in msg:
            message, hint = msg.split(": ", 1)
        else:
            message, hint = msg[0].lower() + msg[1:], "correct the value"
            if "input" in err and not isinstance(err["input"], (dict, list)):
                message = f"{message} (found '{err['input']}')"
        problems[loc] = Problem(doc.file, line, path, message, hint)
    return list(problems.values())


# ---------------------------------------------------------------------------------------------
# Assembling and cross-checking


def _assemble(layers) -> tuple[Toolkit, list[Problem]]:
    problems: list[Problem] = []
    formats: dict[str, tuple[ResponseFormat, YamlDocument, tuple]] = {}
    scales: dict[str, tuple[Scale, YamlDocument]] = {}
    courses: dict[str, tuple[Course, YamlDocument]] = {}
    profile: tuple[ProfileFile, YamlDocument] | None = None
    benchmarks: list[tuple[Benchmark, YamlDocument, int]] = []
    citations: dict[str, str] = {}
    settings = Settings()
    sources: list[str] = []

    for layer in layers:
        defined_here: dict[tuple[str, str], YamlDocument] = {}

        def claim(kind: str, ident: str, doc: YamlDocument, path: tuple, defined_here=defined_here) -> bool:
            other = defined_here.get((kind, ident))
            if other is not None:
                problems.append(Problem(doc.file, doc.line_of(path), ".".join(map(str, path)),
                                        f"the {kind} id '{ident}' is already defined in {other.file}",
                                        "give one of them another id, or delete one"))
                return False
            defined_here[(kind, ident)] = doc
            return True

        for kind, model, doc in layer:
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
                benchmarks.extend((b, doc, i, layer is layers[0]) for i, b in enumerate(model.benchmarks))
            elif kind == "settings":
                settings = model

    if profile is None:
        problems.append(Problem("scales/", None, "", "no profile questions are defined",
                                "add a file with 'kind: profile' (see scales/profile.yaml)"))
    warnings: list[Problem] = []
    problems += _check_scales(scales, formats, warnings)
    problems += _check_courses(courses, scales, profile)
    if profile is not None:
        problems += _check_profile(*profile)
    # A built-in research finding that no longer fits the user's courses is set aside with a
    # warning: the user cannot edit the built-in file, so it must not block their build.
    built_in = [entry for entry in benchmarks if entry[3]]
    kept_built_in = []
    for entry in built_in:
        found = _check_benchmarks([entry[:3]], courses, scales, citations, [])
        if found:
            warnings.append(Problem(found[0].file, found[0].line, found[0].path,
                                    f"this built-in research finding is left out: {found[0].message}",
                                    "nothing to do unless you want it; your own courses and scales decide"))
        else:
            kept_built_in.append(entry)
    benchmarks = kept_built_in + [entry for entry in benchmarks if not entry[3]]
    problems += _check_benchmarks([entry[:3] for entry in benchmarks], courses, scales, citations, warnings)
    if settings.improvement_scale not in scales:
        problems.append(Problem("settings", None, "improvement_scale",
                                f"there is no scale '{settings.improvement_scale}'",
                                "name the scale whose rise the Costs sheet counts" + _did_you_mean(settings.improvement_scale, scales)))
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


def _check_scales(scales, formats, warnings) -> list[Problem]:
    problems = []
    for scale, doc in scales.values():
        if scale.format not in formats:
            problems.append(Problem(doc.file, doc.line_of(("format",)), "format",
                                    f"there is no response format '{scale.format}'",
                                    "use a format defined in scales/formats.yaml"
                                    + _did_you_mean(scale.format, formats)))
            continue
        fmt = formats[scale.format][0]
        if scale.knowledge and fmt.kind != "choice":
            problems.append(Problem(doc.file, doc.line_of(("format",)), "format",
                                    f"a 'percent_correct' scale needs a choice format, and '{fmt.id}' is a {fmt.kind} format",
                                    "use a choice format such as 'true_false'"))
        elif scale.scoring in ("mean", "sum") and fmt.kind != "rating":
            problems.append(Problem(doc.file, doc.line_of(("scoring",)), "scoring",
                                    f"'{scale.scoring}' scoring needs a rating format, and '{fmt.id}' is a {fmt.kind} format",
                                    "use a rating format, or 'percent_correct' for knowledge questions"))
        elif fmt.kind == "text" and scale.scored:
            problems.append(Problem(doc.file, doc.line_of(("scoring",)), "scoring",
                                    "free-text answers cannot be scored", "set 'scoring: none'"))
        elif not scale.scored and fmt.kind != "text":
            problems.append(Problem(doc.file, doc.line_of(("scoring",)), "scoring",
                                    "only free-text scales can be left unscored",
                                    "set 'scoring' to mean, sum or percent_correct"))
        if scale.knowledge:
            codes = [o.code for o in fmt.options]
            for i, item in enumerate(scale.items):
                if item.key not in codes:
                    problems.append(Problem(doc.file, doc.line_of(("items", i, "key")), f"items.{i}.key",
                                            f"the key {item.key} is not one of the options of '{fmt.id}'",
                                            f"use one of {', '.join(map(str, codes))}"))
        if fmt.agreement and scale.scored and len(scale.items) > 2 and not any(i.reverse for i in scale.items):
            warnings.append(Problem(doc.file, doc.line_of(("items",)), "items",
                                    "no item is reverse-scored, so agreeing with everything cannot be told apart from real agreement",
                                    "consider wording one or two items the other way and marking them 'reverse: true'"))
    return problems


def _check_courses(courses, scales, profile) -> list[Problem]:
    problems = []
    profile_ids = {q.id for q in profile[0].questions} if profile else set()
    for course, doc in courses.values():
        owner_of_item: dict[str, str] = {}
        for t_index, tp in enumerate(course.time_points):
            if len(tp.scales) != len(set(tp.scales)):
                problems.append(Problem(doc.file, doc.line_of(("time_points", t_index, "scales")),
                                        f"time_points.{t_index}.scales", "a scale is listed twice at this time point",
                                        "list each scale once"))
            for s_index, sid in enumerate(tp.scales):
                if sid not in scales:
                    problems.append(Problem(doc.file, doc.line_of(("time_points", t_index, "scales", s_index)),
                                            f"time_points.{t_index}.scales.{s_index}", f"there is no scale '{sid}'",
                                            "add a scale file with that id, or correct the name" + _did_you_mean(sid, scales)))
                    continue
                for item in scales[sid][0].items:
                    other = owner_of_item.setdefault(item.id, sid)
                    if other != sid:
                        problems.append(Problem(doc.file, doc.line_of(("time_points", t_index, "scales", s_index)),
                                                f"time_points.{t_index}.scales.{s_index}",
                                                f"the item id '{item.id}' is used by both '{other}' and '{sid}'; item ids become the workbook's column ids",
                                                "give the items of one scale different ids"))
                    if item.id in profile_ids:
                        problems.append(Problem(doc.file, doc.line_of(("time_points", t_index, "scales", s_index)),
                                                f"time_points.{t_index}.scales.{s_index}",
                                                f"the item id '{item.id}' of '{sid}' is also a profile question's id",
                                                "rename the item"))
    return problems


def _check_profile(profile: ProfileFile, doc: YamlDocument) -> list[Problem]:
    problems = []
    ids = [q.id for q in profile.questions]
    if profile.agency not in ids:
        problems.append(Problem(doc.file, doc.line_of(("agency",)), "agency",
                                f"there is no profile question '{profile.agency}'",
                                "name the question that asks for the participant's agency" + _did_you_mean(profile.agency, ids)))
    elif profile.gp_code is not None:
        codes = [o.code for o in next(q for q in profile.questions if q.id == profile.agency).options]
        if profile.gp_code not in codes:
            problems.append(Problem(doc.file, doc.line_of(("gp_code",)), "gp_code",
                                    f"{profile.gp_code} is not one of the agency options",
                                    f"use the code of the GP option ({', '.join(map(str, codes))})"))
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        problems.append(Problem(doc.file, doc.line_of(("questions",)), "questions",
                                f"question ids repeated: {', '.join(sorted(dupes))}", "give each question its own id"))
    return problems


def _check_benchmarks(benchmarks, courses, scales, citations, warnings) -> list[Problem]:
    problems = []
    for bench, doc, i in benchmarks:
        base = ("benchmarks", i)
        if bench.course not in courses:
            problems.append(Problem(doc.file, doc.line_of(base + ("course",)), f"benchmarks.{i}.course",
                                    f"there is no course type '{bench.course}'",
                                    "use a course id" + _did_you_mean(bench.course, courses)))
        elif bench.scale not in scales:
            problems.append(Problem(doc.file, doc.line_of(base + ("scale",)), f"benchmarks.{i}.scale",
                                    f"there is no scale '{bench.scale}'", "use a scale id" + _did_you_mean(bench.scale, scales)))
        else:
            course = courses[bench.course][0]
            asked = [tp.id for tp in course.time_points if bench.scale in tp.scales]
            if not asked:
                problems.append(Problem(doc.file, doc.line_of(base + ("scale",)), f"benchmarks.{i}.scale",
                                        f"the course '{bench.course}' does not ask the scale '{bench.scale}'",
                                        "add the scale to the course or correct the benchmark"))
            elif bench.pair:
                a, b = bench.pair.split("_")
                if not {a, b} <= set(asked):
                    problems.append(Problem(doc.file, doc.line_of(base + ("pair",)), f"benchmarks.{i}.pair",
                                            f"the scale '{bench.scale}' is not asked at both {a} and {b} in '{bench.course}'",
                                            f"use a pair of {', '.join(asked)}"))
        if bench.citation not in citations and len(bench.citation) < 25:
            problems.append(Problem(doc.file, doc.line_of(base + ("citation",)), f"benchmarks.{i}.citation",
                                    f"there is no citation '{bench.citation}'",
                                    "add it under 'citations:' or write the reference in full" + _did_you_mean(bench.citation, citations)))
        if bench.value is None and bench.statistic != "direction":
            warnings.append(Problem(doc.file, doc.line_of(base), f"benchmarks.{i}",
                                    f"no value for {bench.course} / {bench.scale} / {bench.statistic}",
                                    "the workbook leaves a cell for the user to type the published value"))
    return problems

