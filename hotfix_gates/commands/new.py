"""`hotfix-gate new`: open an emergency hotfix record and its branch.

The number is chosen under a lock so two responders never get the same one;
a second record for an incident that is already open (same slug, not yet
resolved) is refused unless --anyway says it is meant. The files come from
`editing.templates`, are written by `editing.scaffold`, and the branch is
made by `editing.branch` without touching the working tree or the index.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_gates.editing.templates import TEMPLATE_FILES
from hotfix_gates.editing.templates import clean_title as clean_title
from hotfix_gates.model.constants import DONE_STATUSES, SEVERITIES
from hotfix_gates.model.errors import EXIT_OK, ToolError

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.git.trees import FsTree, GitTree
    from hotfix_gates.model.config import Config
    from hotfix_gates.model.tree import TreeView

@dataclass(frozen=True)
class Created:
    """What `new` made, as reported by --json."""

    number: int
    id: str
    slug: str
    title: str
    severity: str | None
    branch: str
    branch_created: bool
    workdir: Path
    folder: str  # relative to the repository root
    files: tuple[str, ...]
    incident_start: datetime
    post_mortem_deadline: str  # `48 hours`
    regression_deadline: str
    resolution_deadline: str

    @property
    def dir(self) -> Path:
        return self.workdir / self.folder


# --- a second record for the same incident ---------------------------------------------

_BRANCH_NAME = re.compile(r"(?:refs/heads/|refs/remotes/[^/]+/)hotfix/(\d+)-(.+)")


def open_twin(repo: pygit2.Repository, tree: FsTree, config: Config, slug: str,
              branches: list[str]) -> tuple[str, str] | None:
    """(id, where) of a record with this slug that is still open: in the
    working tree, or at the tip of a teammate's hotfix/NNN-slug branch."""
    from hotfix_gates.model.constants import folder_number
    from hotfix_gates.parsing.records import record_folders

    folders, _ = record_folders(tree, config)
    seen: set[int] = set()
    for folder in folders:
        number = folder_number(folder)
        if number is not None:
            seen.add(number)
        if folder.rsplit("/", 1)[-1].partition("-")[2] == slug:
            record_id = _open_record_id(tree, folder)
            if record_id:
                return record_id, folder
    for ref in branches:
        match = _BRANCH_NAME.fullmatch(ref)
        if match is None or match.group(2) != slug or int(match.group(1)) in seen:
            continue
        at_tip = _branch_tree(repo, ref)
        folder = f"{config.specs_dir}/{match.group(1)}-{slug}"
        record_id = _open_record_id(at_tip, folder) if at_tip is not None else None
        if record_id:
            short = ref.removeprefix("refs/heads/").removeprefix("refs/remotes/")
            return record_id, f"branch {short}"
    return None


def _open_record_id(tree: TreeView, folder: str) -> str | None:
    from hotfix_gates.model.errors import TreeError
    from hotfix_gates.model.tree import read
    from hotfix_gates.parsing.hotfix import parse_hotfix

    try:
        data = read(tree, f"{folder}/hotfix.md")
    except TreeError:
        return None
    record, _ = parse_hotfix(f"{folder}/hotfix.md", folder, data)
    if record.status is None or record.status in DONE_STATUSES or record.resolved_at:
        return None  # not a record (a status is required), or no longer open
    number = record.number
    return record.id or (f"hotfix-{number:03d}" if number is not None else folder)


def _branch_tree(repo: pygit2.Repository, ref: str) -> GitTree | None:
    import pygit2

    from hotfix_gates.git.trees import GitTree

    try:
        tip = repo.references[ref].peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        return None
    return GitTree(repo, tip.tree, ref)


# --- the record and its branch ----------------------------------------------------

def create_record(
    repo: pygit2.Repository,
    description: str,
    severity: str | None = None,
    *,
    make_branch: bool = True,
    started: datetime,
    number: int | None = None,
    lock_wait: float | None = None,
    anyway: bool = False,
) -> Created:
    """Write a new record folder (and branch). `number` is for callers that
    must use a given number; normally the next free one is chosen."""
    from hotfix_gates.editing.branch import (
        branch_conflict,
        refuse_mid_operation,
        switch_to_new_branch,
    )
    from hotfix_gates.editing.locks import NEW_LOCK, WAIT, common_dir, held
    from hotfix_gates.editing.numbering import branch_names, format_number, next_number
    from hotfix_gates.editing.scaffold import undo, verify_rendered, write_folder
    from hotfix_gates.editing.slug import slugify
    from hotfix_gates.editing.templates import load_template, render, template_values
    from hotfix_gates.git.trees import FsTree
    from hotfix_gates.parsing.config import load_config

    if repo.is_bare or not repo.workdir:
        raise ToolError(f"{repo.path} is a bare repository; open hotfixes in a clone with a "
                        "working tree")
    workdir = Path(repo.workdir)
    tree = FsTree(workdir)
    config = load_config(tree)
    title = clean_title(description)
    if not title:
        raise ToolError('the description is empty; say what is broken, e.g. '
                        '`hotfix-gate new "checkout returns 503 errors"`')
    slug = slugify(description)
    templates = {name: load_template(tree, name) for name in TEMPLATE_FILES}
    started = started.replace(microsecond=0)
    if make_branch:
        refuse_mid_operation(repo)
    wait = WAIT if lock_wait is None else lock_wait
    with held(common_dir(repo) / NEW_LOCK, "another `hotfix-gate new` is running", wait):
        existing = branch_names(repo)
        twin = None if anyway else open_twin(repo, tree, config, slug, existing)
        if twin is not None:
            raise ToolError(f"{twin[0]} is still open for this incident ({twin[1]}); use it "
                            "(--id), or pass --anyway to open another")
        if number is None:
            number = next_number(tree, config.specs_dir, existing)
        nnn = format_number(number)
        record_id = f"hotfix-{nnn}"
        branch = f"hotfix/{nnn}-{slug}"
        ref = f"refs/heads/{branch}"
        folder = f"{config.specs_dir}/{nnn}-{slug}"
        if make_branch:
            problem = branch_conflict(ref, existing)
            if problem:
                raise ToolError(f"{problem}; nothing was written")
        values = template_values(config, record_id, nnn, slug, title, branch, severity,
                                 started, folder)
        rendered = {name: render(text, values) for name, (text, _) in templates.items()}
        verify_rendered(rendered["hotfix.md"], templates["hotfix.md"][1], folder, {
            "id": record_id, "title": title, "branch": branch, "severity": severity,
            "status": "investigating", "incident_start": started})
        files, folders = write_folder(workdir, tree, config.specs_dir, folder, rendered)
        if make_branch:
            try:
                switch_to_new_branch(repo, ref)
            except ToolError:
                undo(files, folders)
                raise
    return Created(number, record_id, slug, title, severity, branch, make_branch, workdir,
                   folder, TEMPLATE_FILES, started, str(values["post_mortem_deadline"]),
                   str(values["regression_deadline"]), str(values["resolution_deadline"]))


# --- the command ----------------------------------------------------------------

def new(description: str, severity: str | None, at: str | None, no_branch: bool,
        as_json: bool, as_shell: bool, commit: bool = False, anyway: bool = False) -> int:
    """Open an emergency hotfix: the record folder specs/hotfix/NNN-slug/
    (hotfix.md, post-mortem.md, plan.md, tasks.md, POST_MORTEM_REMINDER.txt)
    and the branch hotfix/NNN-slug, switched to with uncommitted work kept."""
    import sys

    from hotfix_gates.editing.clock import edit_moment
    from hotfix_gates.editing.commit import finish
    from hotfix_gates.git.repository import open_repo

    if as_json and as_shell:
        raise ToolError("choose one of --json and --shell")
    level = None
    if severity is not None:
        level = severity.strip().upper()
        if level not in SEVERITIES:
            raise ToolError(f"severity must be P0, P1 or P2, not {severity!r:.40}")
    started = edit_moment(at)
    repo = open_repo()
    created = create_record(repo, description, level, make_branch=not no_branch,
                            started=started, anyway=anyway)
    if as_json:
        print(json.dumps(_as_dict(created), ensure_ascii=False))
    elif as_shell:
        print(f"export SPECIFY_HOTFIX={shlex.quote(created.id)}")
        print(f"export HOTFIX_DIR={shlex.quote(str(created.dir))}")
    else:
        print(_next_steps(created, commit))
    title = created.title if len(created.title) <= 60 else created.title[:57] + "..."
    finish(created.workdir, [f"{created.folder}/"], f"{created.id}: open the record: {title}",
           commit, report=sys.stderr if as_json or as_shell else sys.stdout)
    return EXIT_OK


def _as_dict(created: Created) -> dict[str, object]:
    from datetime import UTC

    from hotfix_gates.model.timeutil import format_timestamp

    return {
        "id": created.id,
        "number": created.number,
        "title": created.title,
        "severity": created.severity,
        "branch": created.branch,
        "branch_created": created.branch_created,
        "dir": str(created.dir),
        "files": [str(created.dir / name) for name in created.files],
        "incident_start": format_timestamp(created.incident_start),
        # The same facts under the names the spec-kit hotfix command reads
        # from its own script, so that command (and an assistant following
        # it) can take this output as it is.
        "HOTFIX_ID": created.id,
        "HOTFIX_NUM": created.id.removeprefix("hotfix-"),
        "BRANCH_NAME": created.branch,
        "HOTFIX_FILE": str(created.dir / "hotfix.md"),
        "POSTMORTEM_FILE": str(created.dir / "post-mortem.md"),
        "TIMESTAMP": created.incident_start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }


def _next_steps(created: Created, committed: bool) -> str:
    from hotfix_gates.model.timeutil import format_timestamp

    if created.branch_created:
        branch = f"{created.branch} (checked out; uncommitted changes kept)"
    else:
        branch = f"{created.branch} (not created: --no-branch)"
    severity = (f"Severity is {created.severity}; change it: hotfix-gate set severity P0|P1|P2"
                if created.severity else
                "Assess severity: hotfix-gate set severity P0|P1|P2 (P0 outage, P1 major, "
                "P2 minor)")
    lines = [
        f"Opened {created.id}: {created.title}",
        f"  record:  {created.folder}/",
        f"  branch:  {branch}",
        f"  started: {format_timestamp(created.incident_start)}",
        "",
        "Next steps:",
        f"  1. {severity}",
        "  2. Notify the incident channel, the on-call lead, the status page if customers see it",
        "  3. Say how to undo the fix: hotfix-gate set rollback-plan \"...\"",
        "  4. Fix it with the smallest safe change (tests may follow); hotfix-gate log \"...\"",
        "  5. Deployed: hotfix-gate deployed; stable: hotfix-gate resolved "
        f"(within {created.resolution_deadline} of the start)",
        f"  6. Within {created.regression_deadline} of resolution: a regression test "
        "(hotfix-gate regression-test PATH::NAME)",
        f"  7. Within {created.post_mortem_deadline} of resolution: post-mortem.md "
        "(hotfix-gate post-mortem-complete)",
        "The hooks judge commits, not files: commit each change"
        + ("." if committed else " (or pass --commit to each command)."),
        "hotfix-gate check shows what is still missing at any time.",
    ]
    return "\n".join(lines)
