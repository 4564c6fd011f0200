"""``csl analyse``: read returned workbooks back, check their data, pool the results, report.

- :mod:`.xlsx` — the guarded reader of an .xlsx package (zip and size checks, bounded parsing);
- :mod:`.returned` — one returned workbook → course details, scored responses, problems;
- :mod:`.quality` — data-quality problems and quality.csv (wording in templates/report/);
- :mod:`.pooled` — results per course and pooled, every statistic from :mod:`stats`;
- :mod:`.matching`, :mod:`.item_total` — follow-up (near-matches, drop-out) and item checks;
- :mod:`.tables` — the suppressed result tables all outputs share;
- :mod:`.report`, :mod:`.svg`, :mod:`.results_xlsx`, :mod:`.pooled_benchmarks` — the outputs;
- :mod:`.run` — the whole analysis as one call; :mod:`.command` — the click command.
"""
