"""The facts `status` and `report` show, read from the engine's verdicts.

Nothing here re-runs a gate or reads a message: the post-mortem and test
states are the readings the gates judge, and each deadline's state is the
engine's.
"""

from __future__ import annotations

from datetime import datetime

from hotfix_gates.gates.engine import MERGE_CHECK, Judgement, Verdict, judge
from hotfix_gates.gates.subject import Run
from hotfix_gates.model.constants import COMPLETED_KEY
from hotfix_gates.model.errors import TreeError
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.tree import TreeView, read
from hotfix_gates.parsing.hotfix import (
    NoFrontMatter,
    UnclosedFrontMatter,
    decode,
    split_front_matter,
)
from hotfix_gates.reporting.metrics import Facts, open_action_items, optional_time


def gather(run: Run) -> tuple[list[tuple[Facts, list[Finding]]], Judgement]:
    """Every record with its facts and findings, in number order; and the
    judgement (whose findings include the specs folder's own problems)."""
    judgement = judge(run, MERGE_CHECK, deadlines=True)
    verdicts = sorted(judgement.verdicts, key=lambda v: (
        v.record.number is None, v.record.number or 0, v.record.folder))
    return [(facts_of(verdict), verdict.findings) for verdict in verdicts], judgement


def facts_of(verdict: Verdict) -> Facts:
    subject = verdict.subject
    reading = subject.post_mortem
    facts = Facts(subject.record)
    facts.post_mortem = reading.state
    if reading.state == "complete":
        facts.completed_at = optional_time(_front_matter_value(subject.run.tree, reading.path,
                                                               COMPLETED_KEY))
    facts.action_items = open_action_items(reading.post)
    facts.tests = subject.tests.state
    facts.deadlines = verdict.deadlines
    facts.valid = not any(f.code == "HG001" and f.level is Level.ERROR
                          for f in verdict.findings)
    return facts


def _front_matter_value(tree: TreeView, path: str, key: str) -> object:
    # YAML is loaded only when a front matter is read (as parsing.hotfix does).
    from hotfix_gates.parsing.yamlread import YamlProblem, load_mapping

    try:
        block = split_front_matter(decode(read(tree, path)))
        return load_mapping(block.yaml_text, block.yaml_line).values.get(key)
    except (TreeError, UnicodeDecodeError, YamlProblem, NoFrontMatter, UnclosedFrontMatter):
        return None  # read as "no such key": the gate reports the file itself


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%MZ}" if moment else "-"
