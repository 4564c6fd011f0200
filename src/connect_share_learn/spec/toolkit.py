"""The loaded specification: one immutable :class:`Toolkit` that every renderer and reader takes."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass

from connect_share_learn.errors import Problem
from connect_share_learn.spec.model import Benchmark, Course, ProfileFile, ResponseFormat, Scale, Settings


@dataclass(frozen=True)
class Toolkit:
    """Everything every renderer needs, validated and cross-checked."""

    formats: dict[str, ResponseFormat]
    scales: dict[str, Scale]
    profile: ProfileFile
    courses: dict[str, Course]
    benchmarks: tuple[Benchmark, ...]
    citations: dict[str, str]
    settings: Settings
    warnings: tuple[Problem, ...] = ()
    sources: tuple[str, ...] = ()

    # -- navigation ---------------------------------------------------------------------------

    def format_of(self, scale: Scale) -> ResponseFormat:
        return self.formats[scale.format]

    def course_scales(self, course: Course) -> list[Scale]:
        """The scales a course asks, in the order they are first asked."""
        seen: dict[str, Scale] = {}
        for tp in course.time_points:
            for sid in tp.scales:
                seen.setdefault(sid, self.scales[sid])
        return list(seen.values())

    def scales_at(self, course: Course, tp_id: str) -> list[Scale]:
        return [self.scales[s] for s in course.tp(tp_id).scales]

    def time_points_of(self, course: Course, scale: Scale) -> list[str]:
        return [tp.id for tp in course.time_points if scale.id in tp.scales]

    def follow_up_weeks(self, course: Course) -> int | None:
        if "t3" not in course.tp_ids:
            return None
        return self.settings.follow_up_weeks or course.tp("t3").weeks

    def course_benchmarks(self, course: Course) -> list[Benchmark]:
        return [b for b in self.benchmarks if b.course == course.id]

    @functools.cached_property
    def spec_hash(self) -> str:
        """SHA-256 of what the data's shape depends on: formats, profile, scales and courses
        (worked out once: a toolkit does not change)."""
        return spec_hash(self)


def spec_hash(toolkit: Toolkit) -> str:
    """The hash of the data's shape and its English wording: a translation added or changed
    leaves it as it was, so the editions of one course are one course type to every reader."""
    payload = _english({
        "formats": {k: v.model_dump(mode="json") for k, v in sorted(toolkit.formats.items())},
        "profile": toolkit.profile.model_dump(mode="json"),
        "scales": {k: v.model_dump(mode="json") for k, v in sorted(toolkit.scales.items())},
        "courses": {k: v.model_dump(mode="json") for k, v in sorted(toolkit.courses.items())},
    })
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _english(node):
    """``node`` without its translations: a wording's other languages and the records of them."""
    if isinstance(node, dict):
        if "en" in node and all(isinstance(k, str) and re.fullmatch(r"[a-z]{2,3}", k) and isinstance(v, str)
                                for k, v in node.items()):
            return node["en"]  # as if written in English alone
        return {k: _english(v) for k, v in node.items() if not (k == "translations" and isinstance(v, dict))}
    if isinstance(node, list):
        return [_english(v) for v in node]
    return node
