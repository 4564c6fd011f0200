"""The workbook contract (design.md, "Workbook contract"): what the generator writes and every
reader of returned workbooks relies on — sheet names, document properties, limits.

One definition here; the writer (workbook/) and the readers (analyse/, importing/) import it.
"""

from __future__ import annotations

# The entry sheet of each time point.
TIME_POINT_SHEETS = {"t0": "Registration (t0)", "t1": "Start (t1)", "t2": "End (t2)", "t3": "Follow-up (t3)"}
START_SHEET = "Start here"

# Custom document properties of every workbook (File › Properties › Custom in Excel).
TOOLKIT_NAME = "connect-share-learn"
PROPERTY_TOOLKIT = "csl_toolkit"  # always TOOLKIT_NAME
PROPERTY_VERSION = "csl_version"  # the toolkit version that built it
PROPERTY_SPEC_HASH = "csl_spec_hash"  # Toolkit.spec_hash of the specification it was built from
PROPERTY_COURSE = "csl_course"  # the course type's id
PROPERTY_CAPACITY = "csl_capacity"  # rows for questionnaires on each entry sheet
PROPERTY_EXAMPLE = "csl_example"  # "true" in the example workbook of csl demo (made-up data)

# Rows for questionnaires on each entry sheet: the default, and the limits of the option.
DEFAULT_CAPACITY = 500
MIN_CAPACITY = 10
MAX_CAPACITY = 5000
