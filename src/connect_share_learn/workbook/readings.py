"""The plain-English readings on the Results sheet, each as a formula and as its Python twin
(the text the formula gives, stored as the cell's value).

A paired change: "Confidence … rose by 20.8 points from the start to the end of the course, a
medium effect (d = 0.74); a change this big would be unusual if the course made no difference
(p < 0.05); 90% of matched participants improved (n = 20)." Each comparison says what it is
(wording.yaml, ``comparisons``): registration → start is drift before any training, end →
follow-up whether a change lasted. And a note beside a low Cronbach's alpha.
"""

from __future__ import annotations

from connect_share_learn import stats
from connect_share_learn.number_style import fixed, round_half_up


def fixed_formula(x: str, decimals: int) -> str:
    """``x`` as text with ``decimals`` decimals. ROUND first: Gnumeric's FIXED rounds the
    binary value (0.35 gives "0.3"), LibreOffice's and Excel's the decimal one ("0.4"), while
    every program's ROUND gives 0.4."""
    return f"FIXED(ROUND({x},{decimals}),{decimals})"


def _unit(w: dict, scale) -> str:
    return w["unit_percentage_points" if scale.knowledge else "unit_points"]


def _band(w: dict, d: float) -> str:
    bands = stats.EFFECT_BANDS
    size = abs(d)
    key = ("effect_large" if size >= bands["large"] else "effect_medium" if size >= bands["medium"]
           else "effect_small" if size >= bands["small"] else "effect_negligible")
    return w[key]


def _quoted(words: str) -> str:
    return '"' + words.replace('"', '""') + '"'


def _around(wording: str, expression: str, **values) -> str:
    """A formula giving ``wording`` with ``expression``'s text where it says ``{amount}``:
    "rose by {amount} {unit}" gives ``"rose by "&expression&" points"``."""
    before, after = wording.format(amount="\0", **values).split("\0")
    return "&".join(([_quoted(before)] if before else []) + [expression] + ([_quoted(after)] if after else []))


def reading_formula(w: dict, title: str, scale, a: str, b: str, c: dict[str, str]) -> str:
    """The reading of the change of ``scale`` from ``a`` to ``b``; ``c`` maps each paired
    statistic to its cell."""
    title = title.replace('"', '""')
    unit = _unit(w, scale)
    bands = stats.EFFECT_BANDS
    band = (f'IF(ABS({c["d"]})>={bands["large"]},"{w["effect_large"]}",IF(ABS({c["d"]})>={bands["medium"]},'
            f'"{w["effect_medium"]}",IF(ABS({c["d"]})>={bands["small"]},"{w["effect_small"]}","{w["effect_negligible"]}")))')
    # Rounded as shown, so a change of 1e-15 either way (engines differ there) "did not change".
    shown = f'ROUND({c["mean_change"]},1)'
    rose = _around(w["rose_by"], fixed_formula(c["mean_change"], 1), unit=unit)
    fell = _around(w["fell_by"], fixed_formula("-" + c["mean_change"], 1), unit=unit)
    direction = f'IF({shown}>0,{rose},IF({shown}<0,{fell},"{w["unchanged"]}"))'
    effect = f'IF(ISNUMBER({c["d"]}),", "&{band}&" (d = "&{fixed_formula(c["d"], 2)}&")","")'
    said = w["comparisons"][f"{a}_{b}"]
    chance = f'IF(ISNUMBER({c["p"]}),"; "&IF({c["p"]}<0.05,"{said["chance_low"]}","{said["chance_high"]}"),"")'
    improved = f'"; "&{fixed_formula(c["pct_improved"], 0)}&"% {w["improved"]} (n = "&{c["n_pairs"]}&")."'
    return (f'=IF({c["n_pairs"]}<2,"{w["not_enough"]}","{title} "&{direction}&" {said["span"]}"'
            f'&{effect}&{chance}&{improved})')


def reading(w: dict, title: str, scale, a: str, b: str, change: stats.PairedChange) -> str:
    """Twin of :func:`reading_formula`: the text it gives for ``change``."""
    if change.n_pairs < 2:
        return w["not_enough"]
    unit = _unit(w, scale)
    shown = round_half_up(change.mean_change, 1)
    if shown > 0:
        direction = w["rose_by"].format(amount=fixed(change.mean_change, 1), unit=unit)
    elif shown < 0:
        direction = w["fell_by"].format(amount=fixed(-change.mean_change, 1), unit=unit)
    else:
        direction = w["unchanged"]
    effect = f", {_band(w, change.d)} (d = {fixed(change.d, 2)})" if change.d is not None else ""
    said = w["comparisons"][f"{a}_{b}"]
    chance = f'; {said["chance_low"] if change.p < 0.05 else said["chance_high"]}' if change.p is not None else ""
    improved = f'; {fixed(change.pct_improved, 0)}% {w["improved"]} (n = {change.n_pairs}).'
    return f"{title} {direction} {said['span']}{effect}{chance}{improved}"


def alpha_note_formula(w: dict, scale, alpha: str) -> str:
    """A warning beside a Cronbach's alpha below :data:`stats.ALPHA_LOW` (as shown, to two
    decimals), negative included; nothing otherwise."""
    note = w["alpha_low_knowledge" if scale.knowledge else "alpha_low"].replace('"', '""')
    return f'=IF(ISNUMBER({alpha}),IF(ROUND({alpha},2)<{stats.ALPHA_LOW},"{note}",""),"")'


def alpha_note(w: dict, scale, alpha) -> str:
    """Twin of :func:`alpha_note_formula`."""
    if not isinstance(alpha, (int, float)) or round_half_up(alpha, 2) >= stats.ALPHA_LOW:
        return ""
    return w["alpha_low_knowledge" if scale.knowledge else "alpha_low"]
