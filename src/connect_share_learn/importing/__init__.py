"""Importing online responses (KoboToolbox, ODK, Enketo exports) into a data-entry workbook.

``csl import`` appends a file of responses to one time point's entry sheet of a copy of the
workbook, keeping everything else in it as it was: see :mod:`.run` for the steps,
:mod:`.fields` for how fields and answers are read, :mod:`.entry_sheet` for the XML edit,
:mod:`.package` for the checks every untrusted file gets.
"""

__all__ = ["ImportReport", "import_responses"]


def __getattr__(name: str):
    # Loaded on first use: the guarded .xlsx reader (.package) is used without the whole import.
    if name in __all__:
        from connect_share_learn.importing import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
