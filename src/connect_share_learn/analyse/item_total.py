"""Corrected item–total correlations: how each item goes with the rest of its scale.

For each item, Pearson's r between its scored value and the sum of the *other* items, over
the participants who answered every item of the scale at that time point (the same rows
Cronbach's alpha uses). A negative r suggests the item is keyed the wrong way round
(a reverse-worded item not marked 'reverse', or a wrong knowledge key).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


# A small negative r over a few people is noise; these keep the flag for items that clearly
# go against their scale.
FLAG_BELOW = -0.10
FLAG_MIN_N = 10


@dataclass(frozen=True)
class ItemTotal:
    scale: str
    tp: str
    item: str
    n: int
    r: float | None

    @property
    def flagged(self) -> bool:
        """Negative enough, over enough people, to suggest the item is keyed the wrong way."""
        return self.r is not None and self.r < FLAG_BELOW and self.n >= FLAG_MIN_N


def corrected_item_total(rows: list[tuple[float, ...]]) -> list[float | None]:
    """r of each column with the sum of the other columns; None where it cannot be computed."""
    if len(rows) < 3 or len(rows[0]) < 3:
        return [None] * (len(rows[0]) if len(rows) else 0)
    data = np.asarray(rows, dtype=float)
    total = data.sum(axis=1)
    out: list[float | None] = []
    for j in range(data.shape[1]):
        item = data[:, j]
        rest = total - item
        if item.std() == 0 or rest.std() == 0:
            out.append(None)
            continue
        out.append(float(np.corrcoef(item, rest)[0, 1]))
    return out


def item_totals(toolkit, complete: dict[tuple[str, str], np.ndarray], scale_ids: list[str],
                time_points: list[str]) -> list[ItemTotal]:
    """Every scored scale's item–total correlations at each time point, from ``complete``:
    (scale, time point) → the item values of the responses that answered every item, a row each."""
    out = []
    for sid in scale_ids:
        scale = toolkit.scales[sid]
        for tp in time_points:
            rows = complete.get((sid, tp))
            if rows is None or not len(rows):
                continue
            for item, r in zip(scale.items, corrected_item_total(rows)):
                out.append(ItemTotal(sid, tp, item.id, len(rows), r))
    return out
