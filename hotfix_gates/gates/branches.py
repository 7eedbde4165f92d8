"""What a push (or a merge) to a branch must pass, judged the same way by
the hooks and by `hotfix-gate check --branch`:

- a protected branch (configured globs): every record, at the merge and
  post-incident moments;
- `hotfix/NNN-*`: that record must exist and pass the hotfix-push gates;
- any other branch: nothing is judged.
"""

from __future__ import annotations

import re

from hotfix_gates.gates import policy
from hotfix_gates.gates.builtin import GATES_BY_ID
from hotfix_gates.gates.engine import HOTFIX_PUSH, MERGE_CHECK, Judgement, judge
from hotfix_gates.gates.subject import Run
from hotfix_gates.model.constants import branch_number, folder_number
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.parsing.records import record_folders

PROTECTED, HOTFIX = "protected", "hotfix"


def kind_of(branch: str, run: Run) -> tuple[str | None, int | None]:
    """("protected" | "hotfix" | None, the hotfix number)."""
    if run.config.is_protected(branch):
        return PROTECTED, None
    number = branch_number(branch)
    if number is not None:
        return HOTFIX, number
    return None, None


def judge_branch(run: Run, branch: str) -> Judgement | None:
    """The judgement a push to `branch` needs, or None when it needs none."""
    kind, number = kind_of(branch, run)
    if kind == PROTECTED:
        return judge(run, MERGE_CHECK)
    if kind == HOTFIX and number is not None:
        return judge_hotfix(run, number)
    return None


def judge_hotfix(run: Run, number: int) -> Judgement:
    """The hotfix's own record must exist and pass the hotfix-push gates.
    Only its folder is read: a push of many hotfix branches, or a repository
    of many records, costs one record per ref."""
    found, _ = record_folders(run.tree, run.config)
    # A cheap first filter, so a tree of many records costs one C-level match
    # per name; folder_number has the last word.
    candidate = re.compile(rf"(?:hotfix-)?0*{number}-").match
    mine = [folder for folder in found if candidate(folder, folder.rfind("/") + 1)
            and folder_number(folder) == number]
    if mine:
        return judge(run, HOTFIX_PUSH, mine)
    specs = run.config.specs_dir
    missing = Finding(
        f"{specs}/{number:03d}-*", 1, "HG001", "record-valid",
        f"no record for hotfix-{number:03d} in the judged commit",
        f"commit the record folder {specs}/{number:03d}-<slug>/ with its hotfix.md "
        "(`hotfix-gate new` makes one) before pushing the branch", Level.ERROR)
    unit = GATES_BY_ID["HG001"]
    return Judgement([], policy.apply([missing], unit, None, run.config, run.now))
