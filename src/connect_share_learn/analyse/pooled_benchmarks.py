"""Pooled results in the benchmarks format, so next year's workbooks compare with this year's.

``csl build --benchmarks FOLDER`` reads the file written here like the research benchmarks.
Only course-type results that the other outputs show are written (:mod:`disclosure`).
"""

from __future__ import annotations

import yaml

from connect_share_learn.analyse.disclosure import Disclosure
from connect_share_learn.analyse.pooled import GroupResult
from connect_share_learn.spec.model import BenchmarksFile

STATISTICS = ("mean_change", "d", "dz", "pct_improved", "p")
CITATION_KEY = "pooled"


def pooled_benchmarks(results: list[GroupResult], published: Disclosure, citation: str, note: str) -> BenchmarksFile:
    """The course-type paired statistics as benchmarks, validated by the specification model."""
    entries = []
    for g in results:
        if g.kind != "course_type":
            continue
        for (sid, a, b), change in g.changes.items():
            if change.n_pairs == 0 or published.hides(g, "change", sid, a, b):
                continue
            for name in STATISTICS:
                value = getattr(change, name)
                if value is None:
                    continue
                entries.append(dict(course=g.key, scale=sid, statistic=name, pair=f"{a}_{b}",
                                    value=round(float(value), 4), n=change.n_pairs, citation=CITATION_KEY,
                                    note=note.format(courses=g.courses), source="pooled"))
    return BenchmarksFile.model_validate(dict(kind="benchmarks", citations={CITATION_KEY: citation},
                                              benchmarks=entries))


def to_yaml(benchmarks: BenchmarksFile, header: str) -> bytes:
    data = benchmarks.model_dump(mode="json", exclude_none=True)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return ("".join(f"# {line}\n" for line in header.splitlines()) + body).encode("utf-8")
