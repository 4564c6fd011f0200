"""Where the embedded default library lives: inside the installed package, or the source tree."""

from __future__ import annotations

import os
from pathlib import Path

KINDS = ("scales", "courses", "benchmarks", "templates")
# Set while a pack is built with --templates: the folder holding the defaults with the
# user's templates laid over them. An environment variable reaches the worker processes.
TEMPLATES_VARIABLE = "CSL_TEMPLATES"


def default_root() -> Path:
    """The folder holding ``scales/``, ``courses/``, ``benchmarks/`` and ``templates/``."""
    packaged = Path(__file__).resolve().parent / "defaults"
    if (packaged / "scales").is_dir():
        return packaged
    # An editable install or a source checkout: the folders sit at the top of the repository.
    source = Path(__file__).resolve().parents[2]
    if (source / "scales").is_dir():
        return source
    raise FileNotFoundError("the toolkit's default scales are missing: reinstall connect-share-learn")


def default_dir(kind: str) -> Path:
    if kind == "templates" and os.environ.get(TEMPLATES_VARIABLE):
        return Path(os.environ[TEMPLATES_VARIABLE])
    return default_root() / kind
