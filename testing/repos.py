"""Build real git repositories and hotfix records for tests and benchmarks."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Responder",
    "GIT_AUTHOR_EMAIL": "responder@example.com",
    "GIT_COMMITTER_NAME": "Test Responder",
    "GIT_COMMITTER_EMAIL": "responder@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: no stray git or clock settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT", "HOTFIX_GATE", "SPECIFY_"))}
    env.update(GIT_ENV)
    env.update(extra)
    return env


def git(cwd: Path | str, *args: str, check: bool = True, input: str | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, input=input,
        env=env if env is not None else clean_env(),
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def make_repo(path: Path, *, commit: bool = True, branch: str = "main") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", branch)
    git(path, "config", "user.name", "Test Responder")
    git(path, "config", "user.email", "responder@example.com")
    git(path, "config", "commit.gpgsign", "false")
    if commit:
        (path / "README.md").write_text("demo service\n")
        git(path, "add", "README.md")
        git(path, "commit", "-q", "-m", "initial commit")
    return path


def commit_all(repo: Path, message: str = "update") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def front_matter(fields: dict[str, object]) -> str:
    return "---\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True) + "---\n"


def record_fields(number: int, slug: str, **overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "id": f"hotfix-{number:03d}",
        "title": slug.replace("-", " "),
        "branch": f"hotfix/{number:03d}-{slug}",
        "severity": None,
        "status": "investigating",
        "incident_start": "2025-10-01T14:00:00Z",
        "detected_at": None,
        "deployed_at": None,
        "resolved_at": None,
        "rollback_plan": None,
        "reviewed_by": None,
        "regression_tests": [],
    }
    fields.update(overrides)
    return fields


COMPLETE_POST_MORTEM = """---
status: complete
---
# Post-mortem

## Executive Summary
The connection pool was exhausted by leaked connections; checkout failed for 42 minutes.

## Timeline
- 14:00 alerts fired for 503s
- 14:42 fix deployed

## Root Cause Analysis
A code path returned early without releasing its connection.

## Action Items
- [x] Add a regression test for the early return
- [ ] Alert on pool saturation

## Lessons Learned
Pool metrics were not on the dashboard.
"""

DRAFT_POST_MORTEM = """---
status: draft
---
# Post-mortem

## Executive Summary
<!-- Two or three sentences: what broke, who was affected, for how long. -->

## Timeline
| Time (UTC) | Event |
| --- | --- |
| [HH:MM] | [event] |

## Root Cause Analysis
[ROOT CAUSE]

## Action Items
- [ ] [ACTION]

## Lessons Learned
<!-- What went well, what did not. -->
"""


@dataclass
class Record:
    folder: Path

    @property
    def hotfix(self) -> Path:
        return self.folder / "hotfix.md"

    @property
    def post_mortem(self) -> Path:
        return self.folder / "post-mortem.md"


def write_record(repo: Path, number: int, slug: str = "database-connection-pool",
                 body: str = "\n# Hotfix\n", post_mortem: str = DRAFT_POST_MORTEM,
                 specs_dir: str = "specs/hotfix", **fields: object) -> Record:
    folder = repo / specs_dir / f"{number:03d}-{slug}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hotfix.md").write_text(front_matter(record_fields(number, slug, **fields)) + body)
    (folder / "post-mortem.md").write_text(post_mortem)
    return Record(folder)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_gate(cwd: Path | str, *args: str, env: dict[str, str] | None = None,
             input: str | None = None, module: str = "hotfix_gates.cli") -> Run:
    """Run a console entry point as a real process, the way users do."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True,
        env=env if env is not None else clean_env(), input=input, timeout=120,
    )
    return Run(result.returncode, result.stdout, result.stderr)
