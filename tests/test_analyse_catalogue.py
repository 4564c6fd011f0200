"""Every data-quality rule the code can raise has its wording in templates/report/quality.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import connect_share_learn.analyse as package
from connect_share_learn.analyse.quality import catalogue

SOURCE = "\n".join(p.read_text("utf-8") for p in Path(package.__file__).parent.glob("*.py"))
CALLS = [r'Refused\(\s*"([a-z_]+)"', r'note\(\s*"([a-z_]+)"', r'_refuse\([^,]+,\s*"([a-z_]+)"',
         r'QualityProblem\([^,]+,\s*"([a-z_]+)"', r'rule, detail = "([a-z_]+)"', r'"(straight_lining[a-z_]*)"',
         r'"(not_an_option|out_of_range|error_value|formula_in_answer)"']


def test_every_rule_used_has_wording():
    used = {m for pattern in CALLS for m in re.findall(pattern, SOURCE)}
    assert len(used) > 25
    missing = used - set(catalogue())
    assert not missing, f"rules without wording in quality.yaml: {sorted(missing)}"


def test_every_rule_says_what_was_done():
    for rule, entry in catalogue().items():
        assert set(entry) == {"problem", "action"}, rule
        assert entry["problem"].format(detail="x") and entry["action"], rule
