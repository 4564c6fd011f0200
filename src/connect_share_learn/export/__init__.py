"""``csl export``: returned workbooks as pseudonymised data for analysts (CSV, SPSS, R, Stata)."""

# Here, not in run.py, so that the command line can list them without loading the exporter.
FORMATS = ("csv", "spss", "r", "stata")
