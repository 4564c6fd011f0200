"""Importing online responses (KoboToolbox, ODK, Enketo exports) into a data-entry workbook.

``csl import`` appends a file of responses to one time point's entry sheet of a copy of the
workbook, keeping everything else in it as it was: see :mod:`.run` for the steps,
:mod:`.fields` for how fields and answers are read, :mod:`.entry_sheet` for the entry block and the
edit that appends to it, :mod:`.sheet_xml` for reading and writing a sheet's XML as text.
Every file is opened through the one guarded reader, :mod:`connect_share_learn.read.ooxml`.
"""
