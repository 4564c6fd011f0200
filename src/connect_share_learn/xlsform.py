"""Online forms: each course type's questionnaires as XLSForm, the open standard of ODK and KoboToolbox.

One form per course type and time point, asking what the printed questionnaire asks, in the
same order and with the same answers: the participant code first (required, checked against
the code's pattern), the profile questions at the course's first time point, then each scale
as a group of ``select_one`` questions over its format's answers (``text`` for written
answers). Field names are the codebook's item ids, so exported responses carry the workbook's
column ids; the only other fields are the groups (one per scale, named by its id, which
KoboToolbox puts in front of field names: ``self_efficacy/se_1``) and the notes carrying each
page's instructions (``<group>_intro``, no data). Every word in a form comes from the
specification.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path


from connect_share_learn.errors import UsageError
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course, Option, ResponseFormat, text
from connect_share_learn.wording import language, load

SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "constraint", "constraint_message", "appearance")
CHOICES_COLUMNS = ("list_name", "name", "label")
SETTINGS_COLUMNS = ("form_id", "form_title", "version", "style")
# The columns that hold words: one column per language in a bilingual form ("label::Cymraeg (cy)").
WORDED = ("label", "hint", "constraint_message")
# The workbook's column id for the participant code (design.md: the entry sheet's header row).
CODE_FIELD = "code"
PROFILE_GROUP = "profile"
# Notes carry a page's instructions and no data; an import can skip fields ending so.
NOTE_SUFFIX = "_intro"


@dataclass(frozen=True)
class XLSForm:
    """One form's three sheets as rows of cells, in the order they are written."""

    survey: list[dict[str, str]]
    choices: list[dict[str, str]]
    settings: dict[str, str]
    languages: tuple[str, ...] = ()  # the column suffixes of a bilingual form, in order ("Cymraeg (cy)")


# ---------------------------------------------------------------------------------------------
# Public


def build_form(toolkit: Toolkit, course: Course, tp_id: str) -> XLSForm:
    """The XLSForm for ``course`` at time point ``tp_id``, as the printed questionnaire asks it."""
    if tp_id not in course.tp_ids:
        raise UsageError(f"the course type '{course.id}' has no time point '{tp_id}'; "
                         f"choose from {', '.join(course.tp_ids)}")
    lang = toolkit.settings.language
    languages = toolkit.settings.editions
    common = load("common", lang)
    survey: list[dict[str, str]] = []
    lists: dict[str, list[Option]] = {}

    def words(value) -> str | dict[str, str]:
        """A text in the form's language, or in each language of a bilingual form."""
        if len(languages) == 1:
            return text(value, lang)
        return {x: text(value, x) for x in languages}

    code = toolkit.profile.code
    parts = {x: "; ".join(text(p.text, x) for p in code.parts) for x in languages}
    parts = parts[lang] if len(languages) == 1 else parts
    survey.append({"type": "text", "name": CODE_FIELD, "label": words(code.instructions), "hint": parts,
                   "required": "yes", "constraint": f"regex(., '{code.pattern}')", "constraint_message": parts})

    if tp_id == course.tp_ids[0]:
        profile = toolkit.profile
        survey += _group_start(PROFILE_GROUP, words(profile.title), words(profile.instructions))
        for question in profile.questions:
            list_name = f"profile_{question.id}"
            lists[list_name] = list(question.options)
            survey.append({"type": f"select_one {list_name}", "name": question.id, "label": words(question.text)})
        survey.append({"type": "end_group", "name": PROFILE_GROUP})

    for scale in toolkit.scales_at(course, tp_id):
        fmt = toolkit.format_of(scale)
        survey += _group_start(scale.id, words(scale.title), words(scale.instructions))
        for item in scale.items:
            survey.append(_item_row(item.id, words(item.text), fmt, lists))
        survey.append({"type": "end_group", "name": scale.id})

    choices = [{"list_name": name, "name": str(option.code), "label": words(option.label)}
               for name, options in lists.items() for option in options]
    digest = toolkit.spec_hash
    settings = {
        "form_id": f"csl_{course.id}_{tp_id}_{digest[:8]}",
        "form_title": common["form_title"].format(course=text(course.title, lang), time_point=common["time_points"][tp_id]),
        "version": digest[:12],
        "style": "pages",
    }
    if len(languages) == 1:
        return XLSForm(survey, choices, settings)
    names = {x: f"{language(x).name} ({x})" for x in languages}
    settings["default_language"] = names[lang]
    return XLSForm([_by_language(row, names) for row in survey], [_by_language(row, names) for row in choices],
                   settings, tuple(names[x] for x in languages))


def form_bytes(form: XLSForm, created) -> bytes:
    """The form as an .xlsx file; the same form and date give the same bytes."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"created": created, "title": form.settings["form_title"],
                             "comments": "XLSForm made by connect-share-learn"})
    bold = workbook.add_format({"bold": True})
    _write_sheet(workbook, "survey", _columns(SURVEY_COLUMNS, form.languages), form.survey, bold)
    _write_sheet(workbook, "choices", _columns(CHOICES_COLUMNS, form.languages), form.choices, bold)
    settings_columns = SETTINGS_COLUMNS + (("default_language",) if form.languages else ())
    _write_sheet(workbook, "settings", settings_columns, [form.settings], bold)
    workbook.close()
    return buffer.getvalue()


def course_forms(toolkit: Toolkit, courses: list[Course], created) -> dict[str, bytes]:
    """Every form of ``courses`` as ``{"<course>/<tp>.xlsx": bytes}``, made before anything is written."""
    return {f"{course.id}/{tp}.xlsx": form_bytes(build_form(toolkit, course, tp), created)
            for course in courses for tp in course.tp_ids}


def write_forms(forms: dict[str, bytes], out: Path, force: bool = False) -> list[Path]:
    """Write the forms under ``out`` (one folder per course type), all or nothing; returns the
    paths written. A form already there is replaced only if an earlier export wrote it and it
    is unchanged since (each course's ``MANIFEST.json`` records them), unless ``force``."""
    from connect_share_learn.files import Manifest, staged

    folders: dict[str, list[str]] = {}
    for rel in sorted(forms):
        course, name = rel.split("/")
        folders.setdefault(course, []).append(name)
    records = {course: Manifest.read(out / course) for course in folders}
    for course, names in folders.items():
        records[course].refuse_to_replace(names, "csl export-xlsform", force)
    with staged(out, "online forms", ".csl-forms-") as stage:
        for rel, data in forms.items():
            (stage.folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (stage.folder / rel).write_bytes(data)
        written = stage.publish(sorted(forms))
        for course, names in folders.items():
            records[course].record(names)
    return written


def render(ctx) -> None:
    """Pack part: ``online/<course>/<tp>.xlsx`` for every course being built (a fresh folder)."""
    for rel, data in course_forms(ctx.toolkit, ctx.courses, ctx.options.created).items():
        (ctx.folder / "online" / rel).parent.mkdir(parents=True, exist_ok=True)
        (ctx.folder / "online" / rel).write_bytes(data)


# ---------------------------------------------------------------------------------------------
# Private


def _by_language(row: dict, names: dict[str, str]) -> dict[str, str]:
    """A row whose worded cells are per language, as a bilingual form's columns: ``label::Cymraeg (cy)``."""
    out = {}
    for column, value in row.items():
        if isinstance(value, dict):
            out.update({f"{column}::{names[x]}": v for x, v in value.items()})
        else:
            out[column] = value
    return out


def _columns(columns: tuple[str, ...], languages: tuple[str, ...]) -> list[str]:
    if not languages:
        return list(columns)
    return [f"{c}::{x}" if c in WORDED else c for c in columns for x in (languages if c in WORDED else ("",))]


def _group_start(name: str, title, instructions) -> list[dict[str, str]]:
    """A page of questions; XLSForm groups show no hint, so the instructions are a note on the page."""
    rows = [{"type": "begin_group", "name": name, "label": title, "appearance": "field-list"}]
    if instructions and (not isinstance(instructions, dict) or any(instructions.values())):
        rows.append({"type": "note", "name": f"{name}{NOTE_SUFFIX}", "label": instructions})
    return rows


def _item_row(name: str, label, fmt: ResponseFormat, lists: dict[str, list[Option]]) -> dict[str, str]:
    if fmt.kind == "text":
        return {"type": "text", "name": name, "label": label, "appearance": "multiline"}
    list_name = f"format_{fmt.id}"
    lists.setdefault(list_name, fmt.answers())
    row = {"type": f"select_one {list_name}", "name": name, "label": label}
    if fmt.kind == "rating":
        row["appearance"] = "likert"
    return row


def _write_sheet(workbook, name: str, columns, rows, header_format) -> None:
    sheet = workbook.add_worksheet(name)
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column, header_format)
        sheet.set_column(col, col, 60 if column.split("::")[0] in WORDED else 18)
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            value = row.get(column)
            if value:
                sheet.write_string(r, col, value)
    sheet.freeze_panes(1, 0)
