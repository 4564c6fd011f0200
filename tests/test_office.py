"""Driving LibreOffice: conversions in bounded batches, every output checked."""

from __future__ import annotations

import pytest

from connect_share_learn import office
from connect_share_learn.errors import WorkFailed


def documents(folder, n):
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"letter{i:03d}.docx"
        path.write_bytes(f"document {i}".encode())
        paths.append(path)
    return paths


def test_a_libreoffice_that_stops_early_still_converts_every_document(fake_soffice, tmp_path, monkeypatch):
    """LibreOffice stops after some documents with exit code 0: the rest go to fresh processes."""
    monkeypatch.setenv("FAKE_LIMIT", "3")
    inputs = documents(tmp_path / "in", 10)
    outputs = office.convert(inputs, tmp_path / "out", to="pdf")
    assert [p.name for p in outputs] == [f"letter{i:03d}.pdf" for i in range(10)]
    assert all(p.read_bytes() == b"converted document " + str(i).encode() for i, p in enumerate(outputs))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [p.name for p in outputs]


def test_documents_are_converted_in_bounded_batches_each_by_a_fresh_process(fake_soffice, tmp_path):
    inputs = documents(tmp_path / "in", 10)
    result = office.convert_batches(inputs, tmp_path / "out", to="pdf", batch_size=4)
    assert [len(start) for start in fake_soffice()] == [4, 4, 2]
    assert result.processes == 3 and not result.missing
    assert result.outputs == [tmp_path / "out" / f"letter{i:03d}.pdf" for i in range(10)]


def test_a_document_that_never_converts_is_reported_and_the_others_are_kept(fake_soffice, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_BROKEN", "letter004")
    inputs = documents(tmp_path / "in", 8)
    done = []
    result = office.convert_batches(inputs, tmp_path / "out", to="pdf", batch_size=4, progress=done.append)
    assert result.missing == [inputs[4]]
    assert result.outputs[4] is None
    assert all(result.outputs[i].exists() for i in range(8) if i != 4)
    assert sum(done) == 7
    # The failed batch's missing file is retried in a fresh process, a bounded number of times.
    assert 3 <= result.processes <= 5, fake_soffice()
    with pytest.raises(WorkFailed, match="letter004"):
        office.convert(inputs, tmp_path / "again", to="pdf")


def test_a_libreoffice_that_converts_nothing_is_given_up_quickly(fake_soffice, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_LIMIT", "0")
    inputs = documents(tmp_path / "in", 500)
    result = office.convert_batches(inputs, tmp_path / "out", to="pdf", batch_size=100)
    assert result.missing == inputs
    assert result.processes <= 3, "a LibreOffice that converts nothing must not be started once per document"
