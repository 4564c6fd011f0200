"""The pack: every renderer's output in one folder and zip, built atomically and reproducibly.

The pack is built in a temporary folder beside the target and moved into place only when
complete, so a failed build leaves the previous pack exactly as it was. The same inputs
give byte-identical files: fixed document dates (``SOURCE_DATE_EPOCH`` is honoured) and a
zip with sorted entries, fixed timestamps and fixed permissions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import multiprocessing
import os
import pickle
import shutil
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from connect_share_learn import __version__
from connect_share_learn.defaults import TEMPLATES_VARIABLE, default_dir
from connect_share_learn.errors import UsageError, WorkFailed
from connect_share_learn.files import MANIFEST, Manifest, replace_folder, staged, write_zip_entries
from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course

# The documents' date when SOURCE_DATE_EPOCH is not set: fixed, so builds are reproducible.
DEFAULT_EPOCH = 1767225600  # 2026-01-01T00:00:00Z


@dataclass(frozen=True)
class BuildOptions:
    """What a build can be asked for beyond the specification itself."""

    capacity: int | None = None
    courses: tuple[str, ...] = ()
    password: str | None = None
    pdf: bool = False
    zip: bool = True
    large_print: bool = False
    force: bool = False
    templates: Path | None = None
    # Build a language edition that is not fully translated, with English in the gaps.
    allow_incomplete: bool = False

    @property
    def created(self) -> dt.datetime:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
        return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).replace(tzinfo=None)


@dataclass
class BuildContext:
    """Handed to each renderer: the model, the options and the folder to write into."""

    toolkit: Toolkit
    options: BuildOptions
    folder: Path
    courses: list[Course]

    @property
    def capacity(self) -> int:
        return self.options.capacity or self.toolkit.settings.capacity


@dataclass
class PackResult:
    folder: Path
    zip_path: Path | None
    files: dict[str, dict] = field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        return sum(f["size"] for f in self.files.values())


Renderer = Callable[[BuildContext], None]


@dataclass(frozen=True)
class Renders:
    """A part's ``render``, imported where it runs: a build's worker imports only the libraries
    of the parts it builds."""

    module: str

    def __call__(self, ctx: BuildContext) -> None:
        importlib.import_module(self.module).render(ctx)


def renderers() -> list[tuple[str, Renderer]]:
    """Every part of the pack, in build order."""
    return [
        ("codebook", Renders("connect_share_learn.codebook")),
        ("workbooks", Renders("connect_share_learn.workbook.build")),
        ("questionnaires", Renders("connect_share_learn.questionnaires")),
        ("letters", Renders("connect_share_learn.letters")),
        ("online forms", Renders("connect_share_learn.xlsform")),
        ("guide", Renders("connect_share_learn.guide")),  # last: it links only to files already in the pack
    ]


# Parts that write one file set per course type and can be built a course at a time.
PER_COURSE = {"workbooks", "questionnaires", "letters", "online forms"}
# Parts that read what the others wrote: built last, in order.
LAST = ("guide",)
# Which of two workers builds each part: workbooks and the small parts on one, the Word
# documents on the other, about equal work (the full default pack: 1.0 and 1.2 s CPU).
SIDE = {"workbooks": 0, "online forms": 0, "codebook": 0, "questionnaires": 1, "letters": 1}


def _render_parts(ctx: BuildContext, progress: Callable[[str], None] | None) -> None:
    """Run every renderer; independent ones share the machine's cores a course at a time."""
    parts = renderers()
    tasks = []
    for name, render in parts:
        if name in LAST:
            continue
        if name in PER_COURSE and len(ctx.courses) > 1:
            tasks += [(name, render, replace(ctx, courses=[course])) for course in ctx.courses]
        else:
            tasks.append((name, render, ctx))
    workers = min(2, os.cpu_count() or 1, len(tasks))
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        global _tasks
        # Forked workers start with everything this process has: the model, nothing pickled per
        # task. Each worker builds the parts of one kind (SIDE): the workbooks' worker alone
        # imports XlsxWriter and scipy, the documents' worker alone python-docx, each while the
        # other works, rather than both paying for both before any work starts.
        _tasks = tasks
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(1, mp_context=context) as first, ProcessPoolExecutor(1, mp_context=context) as second:
                pools = (first, second)
                futures = [(name, pools[SIDE.get(name, 0)].submit(_render_task, i))
                           for i, (name, _, _) in enumerate(tasks)]
                _prepare_last(ctx)  # in this process, while the workers write
                for name, future in futures:
                    future.result()
                    if progress:
                        progress(name)
        finally:
            _tasks = None
    elif workers > 1 and all(_picklable(render) for _, render, _ in tasks):
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [(name, pool.submit(render, task_ctx)) for name, render, task_ctx in tasks]
            for name, future in futures:
                future.result()
                if progress:
                    progress(name)
    else:
        for name, render, task_ctx in tasks:
            if progress:
                progress(name)
            render(task_ctx)
    for name, render in parts:
        if name in LAST:
            if progress:
                progress(name)
            render(ctx)


_tasks: list | None = None


def _prepare_last(ctx: BuildContext) -> None:
    """What the last parts can do before the others are written: the guide compiles its templates."""
    from connect_share_learn import guide

    guide.prepare(ctx)


def _render_task(index: int) -> None:
    """Run task ``index`` of the build in a forked worker, which has the task list already."""
    _name, render, task_ctx = _tasks[index]
    render(task_ctx)


def _picklable(render: Renderer) -> bool:
    try:
        pickle.dumps(render)
    except Exception:  # noqa: BLE001 - a local function or lambda: render it in this process
        return False
    return True


def in_language(toolkit: Toolkit, language: str) -> Toolkit:
    """``toolkit`` with its edition in ``language``: "cy", or "cy,en" for a bilingual one."""
    from connect_share_learn.spec.model import Settings

    fields = {k: getattr(toolkit.settings, k) for k in toolkit.settings.model_fields_set}
    fields.pop("languages", None)
    try:
        settings = Settings(**{**fields, "language": language})
    except ValueError as exc:
        raise UsageError(f"--language {language}: give a language code, or codes joined by commas with the first "
                         "language first (e.g. --language cy,en)") from exc
    return replace(toolkit, settings=settings)


def check_translations(toolkit: Toolkit, courses: list[str], allow_incomplete: bool) -> None:
    """Refuse an edition whose languages are not fully translated, unless ``allow_incomplete``."""
    from connect_share_learn import translations

    for language in toolkit.settings.editions:
        gaps = translations.check(toolkit, language, courses, translations.PACK_PARTS)
        if gaps and not allow_incomplete:
            raise UsageError(translations.summary(gaps, language))


def pack_name() -> str:
    return f"connect-share-learn-{__version__}"


def build_pack(toolkit: Toolkit, out: Path, options: BuildOptions = BuildOptions(),
               progress: Callable[[str], None] | None = None) -> PackResult:
    """Build the whole pack into ``out/connect-share-learn-<version>/`` (and its zip)."""
    unknown = [c for c in options.courses if c not in toolkit.courses]
    if unknown:
        raise UsageError(f"there is no course type {', '.join(repr(c) for c in unknown)}; "
                         f"choose from {', '.join(sorted(toolkit.courses))}")
    courses = [toolkit.courses[c] for c in (options.courses or sorted(toolkit.courses))]
    target = out / pack_name()
    zip_target = out / f"{pack_name()}.zip"
    changed = [] if options.force else changed_since_built(target)
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        raise UsageError(f"{target}: files in the previous pack were changed or added since it was built "
                         f"({shown}) — a workbook with data typed into it would be lost. Move your files out "
                         "of the pack folder, build into another folder with --out, or use --force to replace them")
    with staged(out, "pack", ".building-") as stage:
        try:
            folder = stage.folder / pack_name()
            folder.mkdir()
            with templates_laid_over(options.templates, stage.folder):
                check_translations(toolkit, [c.id for c in courses], options.allow_incomplete)
                _render_parts(BuildContext(toolkit, options, folder, courses), progress)
            record = Manifest(folder, made={"spec_hash": toolkit.spec_hash}, pack=True)
            record.write(_every_file(folder))
            if options.zip:
                _write_zip(folder, stage.folder / zip_target.name, options.created)
            replace_folder(folder, target)
            if options.zip:
                stage.publish([zip_target.name])
            elif zip_target.exists():
                zip_target.unlink()  # an old zip would no longer match the folder
        except OSError as exc:
            raise WorkFailed(f"{exc.filename or out}: the pack could not be written ({exc.strerror}); "
                             "the previous pack was left as it was") from exc
    return PackResult(target, zip_target if options.zip else None, record.files)


@contextlib.contextmanager
def templates_laid_over(user: Path | None, scratch: Path):
    """While building, the templates are the defaults with the user's files laid over them."""
    if user is None:
        yield
        return
    if not user.is_dir():
        raise UsageError(f"{user}: there is no such templates folder; give the folder that holds your "
                         "changed templates (laid out like the toolkit's templates/ folder)")
    merged = scratch / "templates"
    shutil.copytree(default_dir("templates"), merged)
    shutil.copytree(user, merged, dirs_exist_ok=True)
    before = os.environ.get(TEMPLATES_VARIABLE)
    os.environ[TEMPLATES_VARIABLE] = str(merged)
    _forget_cached_wording()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(TEMPLATES_VARIABLE, None)
        else:
            os.environ[TEMPLATES_VARIABLE] = before
        _forget_cached_wording()


def _forget_cached_wording() -> None:
    from connect_share_learn import wording

    wording.forget()


def changed_since_built(folder: Path) -> list[str]:
    """Files in a previous pack that its manifest does not describe: typed into, or added."""
    if not folder.exists():
        return []
    return list(Manifest.read(folder, pack=True).in_the_way(_every_file(folder)))


def _every_file(folder: Path) -> list[str]:
    """Every file under ``folder`` but its manifest, as a path inside it, sorted."""
    names = [p.relative_to(folder).as_posix() for p in sorted(folder.rglob("*")) if p.is_file()]
    return [name for name in names if name != MANIFEST]


def _write_zip(folder: Path, zip_path: Path, created: dt.datetime) -> None:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        write_zip_entries(archive, ((f"{folder.name}/{p.relative_to(folder).as_posix()}", p.read_bytes())
                                    for p in files), created)
