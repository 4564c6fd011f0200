"""The project's exceptions: every error a user can cause is one of these.

Each carries the file it is about and, where known, the place in it, so the command line
can print one clear sentence: ``file:line: field.path: what is wrong — what to do``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in an input file."""

    file: str
    line: int | None
    path: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        field = f" {self.path}:" if self.path else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where}:{field} {self.message}{hint}"


class CslError(Exception):
    """Base of every error the toolkit reports to a user (exit code 2 unless stated)."""

    exit_code = 2

    def __reduce__(self):
        # Errors cross process boundaries when the pack is built in parallel.
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls, args, state):
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class SpecError(CslError):
    """The specification (scales, courses, benchmarks, settings) has problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InputError(CslError):
    """A file the user gave us cannot be used; the message names the file and the place."""

    def __init__(self, file: str | Path, message: str, hint: str = "", line: int | None = None):
        self.problem = Problem(str(file), line, "", message, hint)
        super().__init__(str(self.problem))


class UsageError(CslError):
    """The command was asked for something it cannot do (bad option combination, unknown id)."""


class WorkFailed(CslError):
    """The input was fine but the work could not be finished (exit code 1)."""

    exit_code = 1
