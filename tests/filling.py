"""Data to type into workbooks: hand-made edge cases and hypothesis strategies."""

from __future__ import annotations

import random

from hypothesis import strategies as st

from connect_share_learn.spec.load import Toolkit
from connect_share_learn.spec.model import Course

# Values a user can paste past data validation into a number cell.
PASTED = ["abc", "3", 3.5, -1, 7, 105, 0.5, " ", "N/A"]


def answer(rng: random.Random, fmt, bad_rate: float = 0.0, blank_rate: float = 0.1):
    r = rng.random()
    if r < blank_rate:
        return None
    if r < blank_rate + bad_rate:
        return rng.choice(PASTED)
    if fmt.kind == "rating":
        return rng.choice(fmt.points)
    if fmt.kind == "choice":
        return rng.choice(fmt.codes)
    return rng.choice(["Helpful & clear", "<b>not</b> bold", "=SUM(A1:A2)", "Cymraeg: ŵ ŷ"])


def course_rows(toolkit: Toolkit, course: Course, n: int, seed: int, bad_rate=0.05, blank_rate=0.1,
                keep=0.85, duplicates=1, constant=False) -> dict[str, list[dict]]:
    """Rows per time point for ``n`` participants, with drop-out, typos in case and spacing,
    duplicate codes, unmatched codes, blanks and pasted out-of-range values."""
    rng = random.Random(seed)
    codes = [f"{chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}{i % 31 + 1:02d}{chr(75 + i % 10)}" for i in range(n)]
    out = {}
    first = course.tp_ids[0]
    for tp in course.tp_ids:
        rows = []
        for code in codes:
            if rng.random() > keep:
                continue
            typed = code
            roll = rng.random()
            if roll < 0.1:
                typed = code.lower()
            elif roll < 0.15:
                typed = f"  {code} "
            elif roll < 0.18:
                typed = code[:-1] + "Z"  # a typo: will not match
            row = {"code": typed}
            if tp == first:
                for q in toolkit.profile.questions:
                    if rng.random() > 0.05:
                        row[q.id] = rng.choice([o.code for o in q.options])
            fixed = {}
            for scale in toolkit.scales_at(course, tp):
                fmt = toolkit.format_of(scale)
                for item in scale.items:
                    if constant and fmt.kind == "rating":
                        row[item.id] = fixed.setdefault(scale.id, fmt.points[len(fmt.points) // 2])
                    else:
                        row[item.id] = answer(rng, fmt, bad_rate, blank_rate)
            rows.append(row)
        for _ in range(duplicates):
            if rows:
                rows.append(dict(rng.choice(rows)))
        if rng.random() < 0.5:
            rows.append({"code": None, **{k: v for k, v in (rows[0] if rows else {}).items() if k != "code"}})
        out[tp] = rows
    return out


@st.composite
def datasets(draw, toolkit: Toolkit, course: Course, max_n: int = 25):
    n = draw(st.integers(0, max_n))
    seed = draw(st.integers(0, 2**31))
    return course_rows(toolkit, course, n, seed,
                       bad_rate=draw(st.sampled_from([0.0, 0.05, 0.2])),
                       blank_rate=draw(st.sampled_from([0.0, 0.1, 0.4])),
                       keep=draw(st.sampled_from([1.0, 0.8, 0.5])),
                       duplicates=draw(st.integers(0, 2)),
                       constant=draw(st.booleans()))
