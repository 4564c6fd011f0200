"""``csl analyse``: read returned workbooks back, check their data, pool the results, report.

- :mod:`.returned` — one returned workbook → course details, scored responses, problems (read
  through :mod:`connect_share_learn.read.ooxml`, the one guarded reader);
- :mod:`.quality` — data-quality problems and quality.csv (wording in templates/report/);
- :mod:`.pooled` — results per course and pooled, every statistic from :mod:`stats`;
- :mod:`.matching`, :mod:`.item_total` — follow-up (near-matches, drop-out) and item checks;
- :mod:`.tables` — the suppressed result tables all outputs share;
- :mod:`.report`, :mod:`.svg`, :mod:`.results_xlsx`, :mod:`.pooled_benchmarks` — the outputs;
- :mod:`.analysis` — what an analysis found, which the outputs read;
- :mod:`.run` — the whole analysis as one call (the click command is :mod:`connect_share_learn.cli.analyse`).
"""
