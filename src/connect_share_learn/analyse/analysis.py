"""What an analysis found: every file with what was read from it, the pooled results, the
checks, and which cells the outputs may show. :mod:`.run` makes it; the outputs read it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from connect_share_learn.analyse import disclosure
from connect_share_learn.analyse.item_total import ItemTotal
from connect_share_learn.analyse.matching import BaselineByFollowUp
from connect_share_learn.analyse.pooled import Group, GroupResult, PooledData
from connect_share_learn.analyse.quality import QualityProblem
from connect_share_learn.analyse.returned import ReturnedWorkbook
from connect_share_learn.spec.toolkit import Toolkit


@dataclass
class Accounting:
    """Files read and refused, rows used and left out: each pair adds up."""

    files_found: int = 0
    files_read: int = 0
    files_refused: int = 0
    rows_typed: int = 0
    rows_used: int = 0
    rows_left_out: int = 0


@dataclass
class Analysis:
    """Everything :func:`.run.analyse` worked out, for the outputs to show."""

    toolkit: Toolkit
    books: list[ReturnedWorkbook]  # every file, in the order found; refused ones included
    data: PooledData
    groups: list[Group]
    results: list[GroupResult]
    problems: list[QualityProblem]
    item_totals: list[ItemTotal]
    baseline: list[BaselineByFollowUp]
    accounting: Accounting
    published: disclosure.Disclosure  # which cells every output shows
    analysed_on: dt.date
    files_by_rule: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # time of each step, for the benchmark
