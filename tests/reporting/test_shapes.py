"""The report that metrics and combined build is the shape that shapes.py
declares: the same keys, in the declared order (the order `--format json`
prints), with values of the declared types. TypedDicts are not checked
when the program runs; this test is what keeps the declaration true."""

from __future__ import annotations

import json
import types
from datetime import UTC, datetime, timedelta
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

from hotfix_gates.model.config import Config
from hotfix_gates.parsing.config import parse_config
from hotfix_gates.parsing.hotfix import parse_hotfix
from hotfix_gates.reporting import shapes
from hotfix_gates.reporting.combined import Skipped, Source, build_combined
from hotfix_gates.reporting.metrics import Facts, build_report
from testing.repos import front_matter, record_fields

NOW = datetime(2025, 11, 1, tzinfo=UTC)
START = datetime(2025, 10, 1, 10, tzinfo=UTC)


def stamp(minutes: float) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def facts(number: int, actions: tuple[str, ...] = (), **fields: object) -> Facts:
    fields.setdefault("incident_start", stamp(0))
    folder = f"specs/hotfix/{number:03d}-incident-{number}"
    text = front_matter(record_fields(number, f"incident-{number}", **fields)) + "\n"
    found = Facts(parse_hotfix(f"{folder}/hotfix.md", folder, text.encode())[0])
    found.action_items = list(actions)
    return found


def varied() -> list[Facts]:
    """Every kind of value a report holds: resolved and open incidents, each
    severity and none, missing, unreadable and out-of-order timestamps,
    waivers and open action items."""
    return [
        facts(1, ("Alert on saturation",), severity="P0", status="resolved",
              detected_at=stamp(5), deployed_at=stamp(20), resolved_at=stamp(30),
              waivers=[{"gate": "post-mortem", "reason": "joint review"}]),
        facts(2, severity="P1", status="resolved", detected_at="after lunch",
              resolved_at=stamp(-10)),
        facts(3, severity="P2", status="investigating"),
        facts(4, status="resolved", resolved_at=stamp(90)),
        facts(5, severity="P1", incident_start=None),
    ]


def conforms(value: object, hint: Any, where: str) -> None:
    """`value` is of type `hint`; TypedDicts key by key, in declared order."""
    origin = get_origin(hint)
    if is_typeddict(hint):
        assert isinstance(value, dict), where
        declared = list(get_type_hints(hint))
        if hint is shapes.RepositoryBlock:  # printed as: path, the totals, then the rest
            declared = ["path", *(k for k in declared if k != "path")]
        assert list(value) == [k for k in declared if k in value], where
        assert hint.__required_keys__ <= set(value), where
        for key, sub in get_type_hints(hint).items():
            if key in value:
                conforms(value[key], sub, f"{where}/{key}")
    elif origin is dict:
        assert isinstance(value, dict), where
        key_type, value_type = get_args(hint)
        for key, item in value.items():
            conforms(key, key_type, f"{where} (key)")
            conforms(item, value_type, f"{where}/{key}")
    elif origin is list:
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            conforms(item, get_args(hint)[0], f"{where}/{i}")
    elif origin in (Union, types.UnionType):
        failures = 0
        for option in get_args(hint):
            try:
                conforms(value, option, where)
            except AssertionError:
                failures += 1
        assert failures < len(get_args(hint)), f"{where}: {value!r} is not {hint}"
    elif hint is type(None):
        assert value is None, where
    else:
        assert type(value) is hint, f"{where}: {value!r} is not {hint.__name__}"


def test_the_report_over_repositories_is_the_declared_shape() -> None:
    relaxed = parse_config("targets: {P0: 2h}\n")
    report = build_combined([Source("api", "/src/api", Config(), varied()),
                             Source("web", "/src/web", relaxed, varied()[:2])],
                            [Skipped("old", "../old", "not a git repository")], NOW,
                            since=START - timedelta(days=1))
    conforms(report, shapes.Report, "")
    assert set(report) == set(get_type_hints(shapes.Report))  # the optional keys too
    # What is printed reads back as the same shape.
    conforms(json.loads(json.dumps(report)), shapes.Report, "(read back)")


def test_the_report_of_one_repository_is_the_declared_shape() -> None:
    report = build_report(varied(), Config(), NOW)
    conforms(report, shapes.Report, "")
    assert shapes.Report.__optional_keys__.isdisjoint(report)


def test_a_report_with_nothing_in_it_is_the_declared_shape() -> None:
    conforms(build_combined([Source("api", "/src/api", Config(), [])], [], NOW),
             shapes.Report, "")


def test_the_checker_notices_a_wrong_value() -> None:
    report = build_report(varied(), Config(), NOW)
    wrong: Any = json.loads(json.dumps(report))
    wrong["totals"]["open"] = "2"
    try:
        conforms(wrong, shapes.Report, "")
    except AssertionError as exc:
        assert "/totals/open" in str(exc)
    else:
        raise AssertionError("a string where an int belongs was not noticed")
