"""pydantic's validation errors as problems a partnership editor can act on.

Each problem names the place as a reader counts it (``item 3 (att_3), text``) and says the one
thing to do. Keys an editor puts on the wrong level — ``reverse`` on a scale, ``format`` on an
item, ``scale:`` for ``scales:`` — are told where they go.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from pydantic import BaseModel, ValidationError

from connect_share_learn.errors import Problem
from connect_share_learn.spec.model import Course, Item, ResponseFormat, Scale, TimePoint
from connect_share_learn.spec.yaml_source import YamlDocument

LIST_FORMATS = "csl validate --list-formats"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word``, if one is close enough to be what was meant."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def correct_to(word: str, choices: Iterable[str], otherwise: str) -> str:
    """The hint for a name that is not one of ``choices``."""
    close = did_you_mean(word, choices)
    return f"correct it to '{close}'" if close else otherwise


# ---------------------------------------------------------------------------------------------
# Keys on the wrong level


@dataclass(frozen=True)
class Misplaced:
    """A key an editor writes in the wrong place: what to say, and what to do given its value."""

    message: str
    hint: Callable[[Any, dict], str]
    # The field it stands in for, whose "missing" error would only repeat this one.
    instead_of: str | None = None


def _item_ids(value: Any, data: dict) -> list[str]:
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    items = data.get("items")
    first = items[0].get("id") if isinstance(items, list) and items and isinstance(items[0], dict) else None
    return [first if isinstance(first, str) else "…"]


def _on_items(key: str, example: str, which: str) -> Callable[[Any, dict], str]:
    """The hint for ``key`` given on the scale: on which items it goes, as a line to copy."""
    def hint(value: Any, data: dict) -> str:
        ids = _item_ids(value, data)
        named = ("the item" if len(ids) == 1 else "each of those items") if ids == value else which
        return f"move it to {named}: - {{id: {ids[0]}, text: …, {key}: {example}}}"
    return hint


def _rename(to: str) -> Callable[[Any, dict], str]:
    return lambda value, data: f"rename it '{to}'"


def _as_format(key: str) -> Misplaced:
    return Misplaced(f"'{key}' belongs to a response format, not to a scale",
                     lambda value, data: f"remove it and name a response format in 'format:' ('{LIST_FORMATS}' "
                                         "lists them; the README shows how to add your own)")


def _scales_of_time_point(value: Any, data: dict) -> str:
    listed = ", ".join(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else "…"
    return f"move them into each time point: - {{id: t1, scales: [{listed}]}}"


def _scale_for_scales(value: Any, data: dict) -> str:
    return "rename it 'scales'" + (f" and make it a list: scales: [{value}]" if isinstance(value, str) else "")


MISPLACED: dict[tuple[type[BaseModel], str], Misplaced] = {
    (Scale, "reverse"): Misplaced("'reverse' is set on each item, not on the scale",
                                  _on_items("reverse", "true", "each item it applies to")),
    (Scale, "key"): Misplaced("'key' is set on each item, not on the scale", _on_items("key", "1", "each item")),
    **{(Scale, key): _as_format(key) for key in ("options", "labels", "min", "max", "step", "dont_know")},
    (Scale, "name"): Misplaced("a scale's name goes in 'title'", _rename("title"), "title"),
    (Item, "format"): Misplaced("'format' is set once for the whole scale, not on an item",
                                lambda value, data: "remove it here: the scale's 'format:' applies to every item"),
    **{(Item, key): Misplaced(f"an item's wording goes in 'text', not '{key}'", _rename("text"), "text")
       for key in ("question", "statement", "wording", "title", "label")},
    (Course, "scales"): Misplaced("the scales are listed for each time point, not for the whole course",
                                  _scales_of_time_point),
    (Course, "weeks"): Misplaced("'weeks' is set on the follow-up time point, not on the course",
                                 lambda value, data: f"move it there: - {{id: t3, weeks: {value}, scales: […]}}"),
    (Course, "name"): Misplaced("a course's name goes in 'title'", _rename("title"), "title"),
    (TimePoint, "scale"): Misplaced("unknown field 'scale'", _scale_for_scales, "scales"),
    (ResponseFormat, "type"): Misplaced("a format's kind is set with 'kind:'", _rename("kind"), "kind"),
}


# ---------------------------------------------------------------------------------------------
# Validation errors


def validation_problems(exc: ValidationError, doc: YamlDocument, model: type[BaseModel]) -> list[Problem]:
    """One problem per mistake in ``doc``, which failed to validate as ``model``."""
    errors = [(err, _plain(err["loc"])) for err in exc.errors() if _branch_fits(err, doc)]
    # A misspelt or misplaced key shows up twice: as unknown, and as the field it meant being missing.
    meant = {loc[:-1] + (instead,) for err, loc in errors if err["type"] == "extra_forbidden"
             for instead in [_instead_of(model, loc)] if instead}
    problems: dict[tuple, Problem] = {}
    for err, loc in errors:
        if loc in problems or (err["type"] == "missing" and loc in meant):
            continue
        message, hint = _explain(err, loc, doc, model)
        problems[loc] = doc.problem(loc, message, hint)
    return sorted(problems.values(), key=lambda p: p.line or 0)


def _plain(loc: tuple) -> tuple:
    """The path in the file, without the names pydantic gives the branches of a union."""
    return tuple(p for p in loc if not _is_branch(p) and p != "[key]")


def _is_branch(part: Any) -> bool:
    return isinstance(part, str) and (part in ("str", "constrained-str") or part.startswith("dict["))


def _branch_fits(err: dict, doc: YamlDocument) -> bool:
    """Whether an error from one branch of a wording (text, or a mapping of languages) is about
    the form the value was written in: a mapping's errors, or a plain text's."""
    for i, part in enumerate(err["loc"]):
        if _is_branch(part):
            written = _value_at(doc.data, _plain(err["loc"][:i]))
            return isinstance(written, dict) == part.startswith("dict[")
    return True


def _value_at(data: Any, loc: tuple) -> Any:
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _owner(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class that owns the last key of ``loc``."""
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


def _instead_of(model: type[BaseModel], loc: tuple) -> str | None:
    owner = _owner(model, loc)
    if owner is None:
        return None
    misplaced = MISPLACED.get((owner, loc[-1]))
    if misplaced is not None:
        return misplaced.instead_of
    return did_you_mean(str(loc[-1]), owner.model_fields)


# pydantic's bound errors: how a hint says the bound, and where pydantic keeps it.
_BOUNDS = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le"),
           "greater_than": ("more than", "gt"), "less_than": ("less than", "lt")}


def _explain(err: dict, loc: tuple, doc: YamlDocument, model: type[BaseModel]) -> tuple[str, str]:
    """The message and the one thing to do for one validation error."""
    kind, value = err["type"], err.get("input")
    ctx = err.get("ctx", {})
    name = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        owner = _owner(model, loc)
        misplaced = MISPLACED.get((owner, name)) if owner else None
        if misplaced is not None:
            return misplaced.message, misplaced.hint(value, doc.data)
        fields = list(owner.model_fields) if owner else []
        return f"unknown field '{name}'", correct_to(str(name), fields, "remove it" + (
            f" (the fields here are {', '.join(fields)})" if fields else ""))
    if kind == "missing":
        return f"'{name}' is missing", f"add '{name}: …'"
    if kind == "literal_error":
        allowed = [e.strip().strip("'") for e in ctx.get("expected", "").replace(" or ", ",").split(",") if e.strip()]
        return f"'{value}' is not allowed here", correct_to(str(value), allowed, f"use one of {ctx.get('expected', '')}")
    if kind == "value_error":
        message, _, hint = err["msg"].removeprefix("Value error, ").partition(": ")
        return message, hint or "correct the value"
    if kind == "string_pattern_mismatch" and "[key]" in err["loc"]:
        return f"'{value}' is not a language code", "use a lower-case language code such as en or cy"
    if kind == "string_pattern_mismatch" and name == "pair":
        return f"'{value}' is not a pair of time points", "write two time points joined by '_', e.g. t1_t2"
    if kind == "string_type":
        typed = doc.typed.get(loc)
        return "this should be text", f'put it in quotes: "{typed}"' if typed else "write it as text"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"'{value}' is not a whole number", "write a whole number"
    if kind in ("float_parsing", "float_type"):
        return f"'{value}' is not a number", "write a number"
    if kind in ("bool_parsing", "bool_type"):
        return f"'{value}' is not true or false", "write true or false"
    if kind == "list_type":
        return f"'{name}' should be a list", f"write it in square brackets: [{value if isinstance(value, str) else '…'}]"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "this should be a set of 'key: value' fields", "write it as 'key: value' fields, as the examples do"
    if kind == "too_short":
        given = ctx.get("actual_length", 0)
        return (f"'{name}' has only {given}" if given else f"'{name}' is empty"), f"give at least {ctx.get('min_length', 1)}"
    if kind == "too_long":
        return f"'{name}' has too many entries", f"give at most {ctx.get('max_length')}"
    if kind in _BOUNDS:
        words, limit = _BOUNDS[kind]
        return f"{value} is out of range", f"use a number {words} {ctx.get(limit)}"
    message = err["msg"][0].lower() + err["msg"][1:]
    if value is not None and not isinstance(value, (dict, list)):
        message += f" (found '{value}')"
    return message, "correct the value"
