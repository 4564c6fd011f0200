"""The specification language: YAML files (scales, courses, benchmarks, settings) read,
validated and laid over the embedded defaults into one :class:`Toolkit`.

``yaml_source`` reads YAML keeping line numbers, ``kinds`` decides what a file is, ``model``
holds the pydantic models, ``messages`` turns their errors into sentences a user can act on,
``toolkit`` the result, and ``load`` puts them together.
"""

from connect_share_learn.spec.load import load_toolkit, validate_paths
from connect_share_learn.spec.toolkit import Toolkit

__all__ = ["Toolkit", "load_toolkit", "validate_paths"]
