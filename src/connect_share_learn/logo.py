"""The partnership's logo (``settings.logo``): at the top of every letter, questionnaire and page
of the guide.

The settings give a PNG or JPEG file relative to the settings file. The commands that use
it resolve and check it once (:func:`resolve`), so a missing or unreadable file is one error
naming the settings file and the field before anything is written; the renderers then read
it with :func:`read`. Every letter carries a copy, so the file's size is limited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from connect_share_learn.errors import InputError, Problem, SpecError

MAX_BYTES = 2_000_000
EMU_PER_CM = 360_000
_KINDS = {"image/png": "png", "image/jpeg": "jpg"}


@dataclass(frozen=True)
class Logo:
    """A logo's bytes and what a document needs to show it."""

    data: bytes
    content_type: str  # image/png or image/jpeg
    width: int  # pixels
    height: int

    @property
    def extension(self) -> str:
        return _KINDS[self.content_type]

    def size(self, height_cm: float, max_width_cm: float) -> tuple[float, float]:
        """(width, height) in cm: ``height_cm`` high, or narrower for a wide logo."""
        width_cm = height_cm * self.width / self.height
        if width_cm > max_width_cm:
            return max_width_cm, max_width_cm * self.height / self.width
        return width_cm, height_cm


def read(settings) -> Logo | None:
    """The logo the settings name (resolved by :func:`resolve`), or None."""
    if settings.logo is None:
        return None
    path = Path(settings.logo)
    try:
        return _parse(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(path, f"the partnership's logo cannot be read ({_reason(exc)})",
                         "check the file, or remove 'logo' from the settings") from None


def resolve(toolkit, settings_file: Path | None):
    """The toolkit with ``settings.logo`` made a checked absolute path.

    The path is relative to the settings file's folder. Raises :class:`SpecError` naming
    the settings file, the line and the field when the file is missing, unreadable, not a
    PNG or JPEG image, or too large.
    """
    logo = toolkit.settings.logo
    if logo is None:
        return toolkit
    base = settings_file.parent if settings_file else Path.cwd()
    path = (base / logo).resolve()
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ValueError(f"it is {size / 1e6:.1f} MB, and every letter carries a copy: save a smaller version "
                             f"(under {MAX_BYTES // 1_000_000} MB; a logo 600 pixels wide is plenty for print)")
        _parse(path.read_bytes())
    except (OSError, ValueError) as exc:
        where = f" (looked for {path})" if isinstance(exc, FileNotFoundError) else ""
        raise SpecError([Problem(str(settings_file or "settings"), _line_of_logo(settings_file), "logo",
                                 f"the logo '{logo}' cannot be used: {_reason(exc)}{where}",
                                 "give the path of a PNG or JPEG file, relative to the settings file's folder, "
                                 "or remove 'logo'")]) from None
    settings = toolkit.settings.model_copy(update={"logo": str(path)})
    return replace(toolkit, settings=settings)


def _parse(data: bytes) -> Logo:
    from docx.image.image import Image

    try:
        image = Image.from_blob(data)
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for a broken image
        raise ValueError("it is not a PNG or JPEG image") from exc
    if image.content_type not in _KINDS or not image.px_width or not image.px_height:
        raise ValueError("it is not a PNG or JPEG image; save it as PNG")
    return Logo(data, image.content_type, image.px_width, image.px_height)


def _reason(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return "there is no such file"
    if isinstance(exc, OSError):
        return f"it cannot be read: {exc.strerror or exc}"
    return str(exc)


def _line_of_logo(settings_file: Path | None) -> int | None:
    from connect_share_learn.spec.yaml_source import read_yaml

    if settings_file is None:
        return None
    document, _ = read_yaml(settings_file)
    return document.line_of(("logo",)) if document else None
