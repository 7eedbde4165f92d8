"""Cheap scale checks (the 10,000-record run is benchmarks/bench_scale.py):
no quadratic text handling, no memory kept per record, many records judged."""

from __future__ import annotations

import contextlib
import gc
import time
import tracemalloc
from pathlib import Path

import pytest

from benchmarks.bench_scale import build_records
from hotfix_gates.parsing.hotfix import parse_hotfix, parse_post_mortem
from hotfix_gates.parsing.markdown import meaningful_text, split_sections
from hotfix_gates.parsing.yamlread import load_mapping
from testing.hostile import NOW, assert_clean, gate
from testing.repos import commit_all, git, make_repo

MB = 512 * 1024  # half a megabyte: a quadratic step still takes minutes at this size


@pytest.mark.parametrize("text", [
    "[" * MB, "[" * (MB // 2) + "](" * (MB // 4), "<!--" * (MB // 4), "|--" * (MB // 3),
    "# " + " #" * (MB // 2), "- " * (MB // 2), "`" * MB, "*_" * (MB // 2),
    "\n".join(["| a | b |", "| --- | --- |"] * (MB // 24)),
    "# A\n" + "## B\n" * (MB // 20),
], ids=lambda t: repr(t[:6]))
def test_markdown_is_linear_on_a_megabyte(text: str) -> None:
    started = time.monotonic()
    meaningful_text(text)
    split_sections(text)
    parse_post_mortem("post-mortem.md", ("---\nstatus: draft\n---\n## Timeline\n" + text).encode())
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("text", [
    "a: " + "[" * (MB // 2), "a: '" + "\\" * MB + "'", "a: " + "x " * (MB // 2),
    "".join(f"k{i}: {i}\n" for i in range(MB // 48)),
    "a:\n" + "".join(f"  - tests/t.py::test_{i}\n" for i in range(MB // 120)),
], ids=lambda t: repr(t[:6]))
def test_front_matter_reader_is_fast_on_a_megabyte(text: str) -> None:
    started = time.monotonic()
    parse_hotfix("hotfix.md", "001-x", f"---\n{text}\n---\n".encode())
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("body", [
    "## Rollback Plan\n" * (MB // 17), "**Severity**: P0\n" * (MB // 17),
    "**Severity**: " + "[" * MB, "| a | b |\n" * (MB // 10), "**" * (MB // 2),
], ids=lambda t: repr(t[:8]))
def test_spec_kit_reader_is_fast_on_a_megabyte(body: str) -> None:
    started = time.monotonic()
    record, _ = parse_hotfix("hotfix.md", "001-x", ("**Hotfix ID**: hotfix-001\n" + body).encode())
    assert time.monotonic() - started < 5
    assert record.format in ("legacy", "front-matter")


def test_reading_records_keeps_no_memory() -> None:
    text = ("id: hotfix-001\nseverity: P1\nincident_start: 2025-10-01T14:00:00Z\n"
            "deployed_at: 2025-10-01T15:00:00Z\nregression_tests: [tests/t.py::test_a]\n"
            "reviewed_by: null\nbroken: 2025-99-99\n")
    for _ in range(50):
        load_mapping(text)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(500):
        load_mapping(text)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 128 * 1024, f"{grown} bytes kept after 500 reads"


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = make_repo(tmp_path_factory.mktemp("scale") / "service")
    build_records(repo, 300)
    commit_all(repo, "300 records")
    return repo


@pytest.mark.parametrize("args", [(), ("--rev", "HEAD"), ("--rev", "HEAD")],
                         ids=["working tree", "rev", "rev, cached"])
def test_check_over_hundreds_of_records(many: Path, args: tuple[str, ...]) -> None:
    started = time.monotonic()
    outcome = gate(many, "check", "--now", NOW, *args)
    elapsed = time.monotonic() - started
    assert_clean(outcome)
    assert "in 300 records" in outcome.out
    assert elapsed < 15, f"check over 300 records took {elapsed:.1f} s"


def _peak_pre_receive(bare: Path, lines: list[str]) -> int:
    import io

    from hotfix_gates.hooks import pre_receive

    stdin = io.TextIOWrapper(io.BytesIO(("\n".join(lines) + "\n").encode()))
    err = io.StringIO()
    tracemalloc.start()
    try:
        with contextlib.redirect_stderr(err):
            code = pre_receive.run({"GIT_DIR": str(bare), "HOTFIX_GATE_NOW": NOW}, stdin)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code in (0, 1), err.getvalue()[-500:]
    return peak


def test_pre_receive_memory_does_not_grow_with_the_number_of_refs(tmp_path: Path) -> None:
    from benchmarks.bench_scale import _fast_import_refs

    repo = make_repo(tmp_path / "service")
    build_records(repo, 100)
    base = commit_all(repo, "records")
    pushed = _fast_import_refs(repo, base, 100)
    bare = tmp_path / "server.git"
    git(tmp_path, "clone", "-q", "--bare", "--mirror", str(repo), str(bare))
    git(bare, "config", "hotfix-gates.now", NOW)
    zero = "0" * 40
    lines = [f"{zero} {commit} {ref}" for ref, commit in pushed]
    _peak_pre_receive(bare, lines[:2])  # imports and first-use caches, not measured
    few = _peak_pre_receive(bare, lines[:10])
    many = _peak_pre_receive(bare, lines)
    assert many - few < 1024 * 1024, f"peak grew by {(many - few) / 1e6:.1f} MB for 90 more refs"
