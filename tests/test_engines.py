"""The tests' one rule for a missing engine: skip with what to install, or fail where
CSL_REQUIRE_ENGINES=1 says every engine must be there (as in CI)."""

from __future__ import annotations

import pytest

from helpers import ENGINES, needs


def test_a_missing_engine_skips_the_test_unless_engines_are_required(monkeypatch):
    monkeypatch.setitem(ENGINES, "gnumeric", (lambda: None, "gnumeric"))
    monkeypatch.delenv("CSL_REQUIRE_ENGINES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="install gnumeric"):
        needs("gnumeric")
    monkeypatch.setenv("CSL_REQUIRE_ENGINES", "1")
    with pytest.raises(pytest.fail.Exception, match="CSL_REQUIRE_ENGINES=1 but gnumeric is not installed"):
        needs("gnumeric")


def test_an_engine_found_is_its_program(monkeypatch):
    monkeypatch.setitem(ENGINES, "gnumeric", (lambda: "/opt/gnumeric/ssconvert", "gnumeric"))
    assert needs("gnumeric") == "/opt/gnumeric/ssconvert"
