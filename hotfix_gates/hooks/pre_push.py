"""pre-push: a push to a protected branch, or of a hotfix branch, must pass its gates.

Raw hook: every `<local ref> <local id> <remote ref> <remote id>` line git
writes on stdin is judged, and the REMOTE ref decides (`git push origin
hotfix/001-x:main` is a push to main):

- a protected branch (configured globs): every record in the pushed commit's
  tree, merge gates and every post-incident gate whose deadline has passed;
- `hotfix/NNN-*`: that hotfix's record must exist in the pushed tree and pass
  HG001 record-valid and HG101 severity;
- deletions, tags, other refs and other branches pass.

Under pre-commit (which hands its hooks only the first ref of a push, and no
arguments) the `PRE_COMMIT_*` variables name the push instead of stdin; when
git's REMOTE and URL arguments are given, stdin decides.

Configuration is read from the pushed commit's tree. Which branches are
protected is decided first without pygit2: two `git` commands give every
pushed commit's `.hotfix-gates.yaml` (mode and blob id), and its settings
come from the blob-id cache (quickconfig), so a push that needs no judging
loads neither pygit2 nor, once the configuration is cached, PyYAML.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from hotfix_gates.hooks import refs
from hotfix_gates.hooks.guard import guarded
from hotfix_gates.hooks.refs import Update
from hotfix_gates.model.constants import CONFIG_FILE
from hotfix_gates.model.errors import ToolError

TYPE_CHECKING = False  # `typing` costs the quick path a few milliseconds
if TYPE_CHECKING:
    from typing import NoReturn, TextIO

    from hotfix_gates.hooks.judge import RefJudge, Target

HOOK = "pre-push"
USAGE = """\
usage: hotfix-gate-pre-push [REMOTE [URL]] < push lines
git's pre-push hook. Reads '<local ref> <local id> <remote ref> <remote id>' lines on
stdin (as git writes them); run with no arguments under pre-commit, the
PRE_COMMIT_* variables instead.
A push to a protected branch must pass every gate in force; a push of hotfix/NNN-*
needs that hotfix's record with its severity set. To check by hand:
hotfix-gate check --rev REV"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    return guarded(HOOK, lambda: run(os.environ, sys.stdin, from_git=bool(args)))


def run(environ: Mapping[str, str], stdin: TextIO, from_git: bool = False) -> int:
    # git gives a pre-push hook the remote's name and URL and the refs on
    # stdin; pre-commit gives its hooks no arguments and the push in
    # PRE_COMMIT_* variables. A PRE_COMMIT left in the environment of a raw
    # hook must not replace what git says.
    updates = None if from_git else pre_commit_updates(environ)
    if updates is None:
        updates = refs.parse_push_lines(refs.read_stdin(stdin))
    if quick_pass(updates, environ):
        return 0
    return full_check(updates, environ)


def pre_commit_updates(environ: Mapping[str, str]) -> list[Update] | None:
    """The one ref pre-commit tells its hooks about, or None outside pre-commit.

    pre-commit sets TO_REF (the pushed commit) unless the push brings a root
    commit, and REMOTE_BRANCH/LOCAL_BRANCH when git gave it a remote. Run by
    hand (`pre-commit run --hook-stage pre-push`) there is no target: the
    commit (TO_REF, else HEAD) is judged as a push to a protected branch.
    """
    remote = environ.get("PRE_COMMIT_REMOTE_BRANCH", "").strip()
    to_ref = environ.get("PRE_COMMIT_TO_REF", "").strip()
    local = environ.get("PRE_COMMIT_LOCAL_BRANCH", "").strip()
    if not (remote or to_ref or environ.get("PRE_COMMIT")):
        return None
    from_ref = environ.get("PRE_COMMIT_FROM_REF", "").strip()
    new = to_ref or local or "HEAD"
    if refs.is_zero(new):
        new = ""
    return [Update(refs.full_ref(remote) if remote else None, from_ref or None,
                   new or None, local)]


# ------------------------------------------------------------ quick decision

def quick_pass(updates: list[Update], environ: Mapping[str, str]) -> bool:
    """True when no update needs judging, proven without pygit2. False means
    "look closer" (pygit2), never "blocked"."""
    pending = [u for u in updates if refs.needs_config(u)]
    if not pending:
        return True
    if any(refs.decide(u).judged for u in pending):
        return False  # judged unless configured otherwise: pygit2 reads the configuration
    from hotfix_gates.git import command
    from hotfix_gates.hooks.quickconfig import settings_of

    commits = [u.new for u in pending if u.new is not None]
    if len(commits) != len(pending) or not all(map(command.is_object_id, commits)):
        return False  # a ref name (pre-commit) rather than an id
    try:
        git_dir = command.find_git_dir(environ)
        cache_dir = command.common_dir_of(git_dir, environ) if git_dir is not None else None
        # many refs often push one commit: each commit, and each configuration, once
        entries = command.commit_entries(commits, CONFIG_FILE, environ)
        settings = settings_of(entries.values(), cache_dir, environ)
    except command.GitFailed:
        return False
    for update, commit in zip(pending, commits, strict=True):
        found = settings[entries[commit]]
        if found is None or refs.decide(update, found[0]).judged:
            return False
    return True


# --------------------------------------------------------------- full check

def full_check(updates: list[Update], environ: Mapping[str, str]) -> int:
    """Read the pushed commits with pygit2 and judge every update that needs it."""
    from hotfix_gates.hooks.judge import RefJudge, clock, open_repository
    from hotfix_gates.model.errors import ConfigError

    repo = open_repository(environ)
    judge = RefJudge(repo, clock(environ), HOOK)
    blocked = False
    try:
        for update in updates:
            if not refs.needs_config(update) or update.new is None:
                continue
            commit = judge.commit(update.new, f"pushing {update.source or 'HEAD'} to "
                                              f"{update.name}")
            tree = judge.tree(commit, f"pushed commit {str(commit.id)[:12]}")
            try:
                config, config_key = judge.config(tree)
            except ConfigError as exc:
                raise ToolError(f"{exc} (read from the pushed commit, pushing to "
                                f"{update.name})") from None
            decision = refs.decide(update, config.protected_branches)
            if not decision.judged:
                continue
            target = remote_tip(judge, update) if decision.kind == refs.PROTECTED else None
            rerun = f"hotfix-gate check --rev {commit.id} --branch {update.branch or 'main'}"
            if target is not None:
                rerun += f" --base {update.old}"  # compared with the remote's tip, too
            blocked |= judge.report(update, decision, tree, config, config_key, rerun, target)
    finally:
        judge.save()
    return 1 if blocked else 0


def remote_tip(judge: RefJudge, update: Update) -> Target | None:
    """The branch as the remote holds it, when this clone has that commit
    (after a fetch it does): the pushed records are compared with it, as the
    server will (HG205, HG206). Without it, the server alone compares."""
    from hotfix_gates.hooks.judge import Target
    from hotfix_gates.model.errors import ToolError

    if update.old is None:
        return None
    try:
        tip = judge.commit(update.old, f"the remote's {update.name}")
    except ToolError:
        return None
    return Target(judge.tree(tip, f"{update.name} at {str(tip.id)[:12]}"))


def entry() -> NoReturn:
    """The hook's process (the installed hook, the console script)."""
    from hotfix_gates.hooks.guard import finish

    finish(main())


if __name__ == "__main__":
    entry()
