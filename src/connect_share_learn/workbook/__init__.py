"""The data-entry workbook of a course type: entry sheets that score, and sheets that report."""
