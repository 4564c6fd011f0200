"""The default library is what the issue asks for, and claims no more than the evidence."""

from __future__ import annotations

from connect_share_learn.spec.model import text


def test_self_efficacy_items(toolkit):
    scale = toolkit.scales["self_efficacy"]
    assert len(scale.items) >= 8
    assert all(text(i.text).startswith("I am confident that I know how to") for i in scale.items)
    assert toolkit.format_of(scale).id == "confidence100"


def test_attitudes_have_reversed_items(toolkit):
    scale = toolkit.scales["attitudes"]
    assert len(scale.items) >= 8
    assert sum(i.reverse for i in scale.items) >= 2


def test_each_course_has_a_keyed_knowledge_scale_marked_for_review(toolkit):
    for course in toolkit.courses.values():
        knowledge = [s for s in toolkit.course_scales(course) if s.knowledge]
        assert len(knowledge) == 1, course.id
        scale = knowledge[0]
        assert len(scale.items) >= 8 and all(i.key is not None for i in scale.items)
        assert toolkit.format_of(scale).dont_know is not None
        assert scale.review


def test_every_scale_says_it_is_the_projects_own(toolkit):
    for scale in toolkit.scales.values():
        assert scale.provenance.original is False
        assert "connect-share-learn" in scale.provenance.author


def test_course_time_points(toolkit):
    foundation = toolkit.courses["foundation"]
    assert foundation.tp_ids == ["t1", "t2", "t3"] and foundation.tp("t3").weeks == 12
    for cid in ("domestic_abuse", "parental_mental_health", "harmful_sexual_behaviour"):
        course = toolkit.courses[cid]
        assert course.double_baseline and course.tp("t3").optional
    assert all("reaction" in c.tp("t2").scales for c in toolkit.courses.values())
    assert all("implementation" in c.tp("t3").scales for c in toolkit.courses.values())


def test_benchmarks_carry_no_invented_numbers(toolkit):
    assert toolkit.benchmarks
    for bench in toolkit.benchmarks:
        assert bench.value is None
        assert bench.citation in toolkit.citations
    sizes = {(b.course, b.n) for b in toolkit.benchmarks if b.n}
    assert sizes == {("parental_mental_health", 95), ("domestic_abuse", 177), ("harmful_sexual_behaviour", 147)}


def test_profile_separates_gps(toolkit):
    agency = next(q for q in toolkit.profile.questions if q.id == "agency")
    labels = {o.code: text(o.label) for o in agency.options}
    assert "GP" in labels[toolkit.profile.gp_code]
    assert any("health" in l.lower() and "GP" not in l for l in labels.values())


def test_response_formats(toolkit):
    agree = toolkit.formats["agree5"]
    assert [text(agree.labels[p]) for p in agree.points] == [
        "Strongly disagree", "Disagree", "Don't know", "Agree", "Strongly agree"]
    assert toolkit.formats["confidence100"].points == list(range(0, 101, 10))
