"""SARIF 2.1.0: checked against the official schema (OASIS, errata 01)."""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from hotfix_gates.gates.builtin import GATES
from hotfix_gates.reporting.formats.sarif import render_sarif
from testing.findings import FOLDER, HOSTILE_FOLDER, WAIVER, sample
from testing.report_schemas import sarif_validator


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    return sarif_validator()


def report(findings: list[Any] | None = None) -> dict[str, Any]:
    text = render_sarif(sample() if findings is None else findings, GATES, version="9.9.9",
                        information_uri="https://example.com/hotfix-gates",
                        extra={"tree": "HEAD", "now": "2025-10-04T00:00:00Z"})
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_valid_against_the_official_schema(validator: jsonschema.protocols.Validator) -> None:
    nothing: list[Any] = []
    for findings in (None, nothing):
        errors = sorted(validator.iter_errors(report(findings)), key=str)
        assert not errors, errors[0]


def test_the_schema_bites(validator: jsonschema.protocols.Validator) -> None:
    """The validation above would catch a broken report."""
    good = report()
    for path, value in ((("runs", 0, "results", 0, "level"), "fatal"),
                        (("runs", 0, "results", 1, "suppressions", 0, "kind"), "waived"),
                        (("runs", 0, "tool", "driver", "rules", 0, "id"), 7),
                        (("version",), "2.0.0")):
        bad = copy.deepcopy(good)
        target: Any = bad
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert not validator.is_valid(bad), path


def test_one_rule_per_gate_with_descriptions_and_default_level() -> None:
    driver = report()["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("hotfix-gates", "9.9.9")
    assert driver["informationUri"] == "https://example.com/hotfix-gates"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [g.code for g in GATES]
    by_id = {r["id"]: r for r in rules}
    assert by_id["HG101"]["name"] == "severity"
    assert by_id["HG103"]["defaultConfiguration"] == {"level": "warning"}
    assert by_id["HG201"]["defaultConfiguration"] == {"level": "error"}
    assert "P0, P1 or P2" in by_id["HG101"]["shortDescription"]["text"]
    assert "Applies: " in by_id["HG201"]["fullDescription"]["text"]
    assert "hotfix-gate waive HG201" in by_id["HG201"]["help"]["text"]
    assert "cannot be waived" in by_id["HG001"]["help"]["text"]


def test_rules_say_when_each_gate_applies_in_words() -> None:
    """Not the repr of a method: the words `hotfix-gate gates` prints."""
    rules = report()["runs"][0]["tool"]["driver"]["rules"]
    texts = [r["fullDescription"]["text"] for r in rules]
    assert not [text for text in texts if "<" in text or "method" in text]
    by_id = {r["id"]: r["fullDescription"]["text"] for r in rules}
    assert by_id["HG001"].startswith("Applies: always. Passes when hotfix.md exists")
    assert by_id["HG201"].startswith("Applies: after the incident, from 48h after resolution")


def test_rules_follow_the_configuration_given() -> None:
    from datetime import timedelta

    from hotfix_gates.model.config import Config

    config = Config(deadlines={"post-mortem": timedelta(hours=24)})
    text = render_sarif([], GATES, version="1", information_uri="x:", extra={}, config=config)
    rules = json.loads(text)["runs"][0]["tool"]["driver"]["rules"]
    by_id = {r["id"]: r["fullDescription"]["text"] for r in rules}
    assert "from 24h after resolution" in by_id["HG201"]


def test_results_point_at_file_and_line_with_the_right_level() -> None:
    run = report()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(sample())
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    levels = [(r["ruleId"], r["level"]) for r in results]
    assert levels == [("HG103", "warning"), ("HG202", "note"), ("HG201", "error"),
                      ("HG201", "error"), ("HG001", "error"), ("HG101", "error"),
                      ("HG001", "error")]
    where = results[2]["locations"][0]["physicalLocation"]
    assert where == {"artifactLocation": {"uri": f"{FOLDER}/post-mortem.md",
                                          "uriBaseId": "%SRCROOT%"},
                     "region": {"startLine": 6}}
    assert results[2]["message"]["text"].endswith("; write the Timeline section")
    assert not any("suppressions" in r for i, r in enumerate(results) if i != 1)


def test_waived_finding_is_an_accepted_external_suppression() -> None:
    waived = report()["runs"][0]["results"][1]
    (suppression,) = waived["suppressions"]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert suppression["justification"] == WAIVER.reason
    assert suppression["properties"] == {"by": "Ana Lima <ana@example.com>",
                                         "at": "2025-10-02T00:00:00Z",
                                         "until": "2025-10-09T00:00:00Z"}
    where = suppression["location"]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == f"{FOLDER}/hotfix.md"
    assert where["region"] == {"startLine": WAIVER.line}


def test_uris_are_relative_references_that_keep_the_exact_path() -> None:
    results = report()["runs"][0]["results"]
    hostile = results[4]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert hostile == "specs/hotfix/003-a%20b%C3%A9%FF/hotfix.md"  # the original bytes
    assert unquote(hostile, errors="surrogateescape") == f"{HOSTILE_FOLDER}/hotfix.md"
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and " " not in uri and uri.isascii()


def test_fingerprints_do_not_change_as_time_passes() -> None:
    def prints(days: int) -> list[str]:
        results = json.loads(render_sarif(sample(days), GATES, version="1", information_uri="x:",
                                          extra={}))["runs"][0]["results"]
        return [r["partialFingerprints"]["hotfixGatesFinding/v1"] for r in results]

    assert prints(1) == prints(30)
    assert len(set(prints(1))) == len(sample())
