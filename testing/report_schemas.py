"""What the report formats are checked against: the official SARIF 2.1.0
schema (bundled in tests/fixtures) and the structure GitLab documents for a
Code Quality report ("Implement a custom tool" in its Code Quality docs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / \
    "sarif-schema-2.1.0.json"

# An array of objects with a description, a check name, a fingerprint, a
# severity out of five, a relative path and a line (location.lines.begin).
# GitLab ignores the rest of the Code Climate spec.
GITLAB_CODE_QUALITY: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^/"}},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def code_quality_issues(text: str) -> list[dict[str, Any]]:
    """A Code Quality report, parsed and checked against GitLab's structure."""
    assert not text.startswith("\ufeff")  # GitLab's parser refuses a byte order mark
    issues: list[dict[str, Any]] = json.loads(text)
    jsonschema.validate(issues, GITLAB_CODE_QUALITY)
    return issues
