"""Several repositories in one report: labels, each record held to its own
repository's configuration, per-repository blocks, skipped repositories.
Hand-computed cases, no repository needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotfix_gates.model.config import Config
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.parsing.config import parse_config
from hotfix_gates.parsing.hotfix import parse_hotfix
from hotfix_gates.reporting.combined import ALL, Skipped, Source, build_combined, unique_labels
from hotfix_gates.reporting.metrics import Facts, build_report
from testing.repos import front_matter, record_fields

NOW = datetime(2025, 11, 1, tzinfo=UTC)
START = datetime(2025, 10, 1, 10, tzinfo=UTC)


def resolved(number: int, severity: str | None, mttr: float) -> Facts:
    end = START + timedelta(minutes=mttr)
    fields = record_fields(number, f"incident-{number}", severity=severity, status="resolved",
                           incident_start=START.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           resolved_at=end.strftime("%Y-%m-%dT%H:%M:%SZ"))
    folder = f"specs/hotfix/{number:03d}-incident-{number}"
    record: HotfixRecord = parse_hotfix(f"{folder}/hotfix.md", folder,
                                        (front_matter(fields) + "\n").encode())[0]
    return Facts(record)


def test_labels_are_folder_names() -> None:
    assert unique_labels(["/src/api", "/src/web/", "/srv/git/billing.git"]) == [
        "api", "web", "billing"]


def test_labels_grow_until_they_differ() -> None:
    assert unique_labels(["/org/team-a/api", "/org/team-b/api", "/org/web"]) == [
        "team-a/api", "team-b/api", "web"]


def test_the_same_path_twice_gets_a_number() -> None:
    assert unique_labels(["/src/api", "/src/api"]) == ["src/api", "src/api-2"]


def test_no_repository_takes_the_label_of_the_rows_over_all() -> None:
    assert ALL not in unique_labels(["/tmp/(all)", "/tmp/x"])


def test_each_record_is_held_to_its_own_repositorys_target() -> None:
    # A 90-minute P0 is within target where P0 is 2h, missed where it is 1h (the default).
    strict, relaxed = Config(), parse_config("targets: {P0: 2h}\n")
    report = build_combined([Source("api", "/src/api", strict, [resolved(1, "P0", 90)]),
                             Source("web", "/src/web", relaxed, [resolved(1, "P0", 90)])],
                            [], NOW)
    p0 = report["by_severity"]["P0"]
    assert (p0["within_target"], p0["missed_target"]) == (1, 1)
    # The repositories disagree on P0: no one target is shown for all of them.
    assert report["targets_minutes"] == {"P0": None, "P1": 240, "P2": 480}
    by_repository = report["by_repository"]
    assert by_repository["api"]["missed_target"] == 1
    assert by_repository["web"]["within_target"] == 1
    assert by_repository["web"]["targets_minutes"]["P0"] == 120


def test_records_are_named_with_their_repository() -> None:
    report = build_combined([Source("api", "/src/api", Config(), [resolved(1, "P1", 30)]),
                             Source("web", "/src/web", Config(), [resolved(1, "P1", 30)])],
                            [], NOW)
    assert report["totals"]["records"] == ["api:hotfix-001", "web:hotfix-001"]
    assert report["by_repository"]["web"]["records"] == ["web:hotfix-001"]


def test_per_repository_blocks_add_up_to_the_totals() -> None:
    sources = [Source("api", "/src/api", Config(), [resolved(1, "P0", 30), resolved(2, "P1", 50)]),
               Source("web", "/src/web", Config(), [resolved(1, "P2", 700)])]
    report = build_combined(sources, [], NOW)
    blocks = report["by_repository"].values()
    assert sum(b["count"] for b in blocks) == report["totals"]["count"] == 3
    assert report["by_repository"]["api"]["mttr_minutes"] == {
        "mean": 40, "median": 40}
    assert report["by_repository"]["api"]["by_severity"]["P0"]["count"] == 1
    assert report["totals"]["mttr_minutes"] == {"mean": 260, "median": 50}


def test_a_skipped_repository_is_in_the_report() -> None:
    report = build_combined([Source("api", "/src/api", Config(), [resolved(1, "P0", 30)])],
                            [Skipped("web", "../web", "not a git repository")], NOW)
    assert report["skipped"] == [{"repository": "web", "path": "../web",
                                  "reason": "not a git repository"}]
    # Two repositories were named: records carry their label even though one was skipped.
    assert report["totals"]["records"] == ["api:hotfix-001"]


def test_one_repository_gives_the_same_numbers_as_before() -> None:
    facts = [resolved(1, "P0", 30), resolved(2, "P1", 500), resolved(3, None, 20)]
    alone = build_report(facts, Config(), NOW)
    combined = build_combined([Source("api", "/src/api", Config(), facts)], [], NOW)
    assert {k: v for k, v in combined.items() if k not in ("by_repository", "skipped")} == alone
    assert combined["skipped"] == []
