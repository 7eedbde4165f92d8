"""pre-receive: the pre-push rule on the server, for every updated ref.

Reads `<old id> <new id> <ref>` lines. Unlike pre-push it cannot be skipped
with `git push --no-verify`, and nothing the pusher controls decides how it
judges:

- the ref judged is the one the update really moves: a push to a symbolic
  ref (`refs/heads/trunk -> refs/heads/main`) is a push to main;
- the rules are the target branch's `.hotfix-gates.yaml` at its current tip
  (for a new branch the server's HEAD; with neither, the defaults), never the
  pushed commit's. If the tip's does not load, the last one that does in
  the branch's first-parent history judges (hotfix_gates.git.configs);
- the pushed tree is judged against the branch's tip: records keep their
  milestones and are not dropped before their work is done, and a pushed
  configuration must load (hotfix_gates.gates.target);
- a protected branch is not deleted: a branch pushed anew would have no
  tip to be compared with;
- the clock is the server's: HOTFIX_GATE_NOW is ignored (on a file-system
  remote the hook inherits the pusher's environment); `git config
  hotfix-gates.now T` in the server's repository sets it for tests.

git keeps the pushed objects in a quarantine folder until the hook accepts
them; libgit2 does not read git's environment variables, so that folder is
added to the object database as an alternate. Findings go to stderr, which
the pusher sees as `remote:` lines.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NoReturn, TextIO

from hotfix_gates.hooks import aliases, refs
from hotfix_gates.hooks.guard import guarded
from hotfix_gates.hooks.judge import RefJudge, Target, open_repository

if TYPE_CHECKING:
    from datetime import datetime

    import pygit2

    from hotfix_gates.model.config import Config

NOW_CONFIG = "hotfix-gates.now"

HOOK = "pre-receive"
USAGE = """\
usage: hotfix-gate-pre-receive < ref lines
git's pre-receive hook, for the server's repository. Reads '<old id> <new id> <ref>'
lines on stdin (as git writes them) and refuses the push when a protected branch, or
a hotfix/NNN-* branch, would receive a commit whose gates are unmet. Configuration
comes from the target branch's current tip, never from the pushed commit."""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    return guarded(HOOK, lambda: run(os.environ, sys.stdin))


def run(environ: Mapping[str, str], stdin: TextIO) -> int:
    updates = aliases.resolve(refs.parse_receive_lines(refs.read_stdin(stdin)), environ)
    if not any(refs.branch_of(u.ref or "") for u in updates):
        return 0  # tags and other refs: never judged
    repo = open_repository(environ)
    add_quarantine(repo, environ)
    judge = RefJudge(repo, server_clock(repo, environ), HOOK)
    judge.missing_hint = ("nor in git's quarantine ($GIT_QUARANTINE_PATH); run the hook from "
                          "git's receive-pack, or check `git fsck`")
    server = ServerConfig(repo, judge)
    blocked = False
    try:
        for update in updates:
            if refs.branch_of(update.ref or "") is not None:
                blocked |= judge_update(update, judge, server)
    finally:
        judge.save()
    return 1 if blocked else 0


def judge_update(update: refs.Update, judge: RefJudge, server: ServerConfig) -> bool:
    """Judge one branch update; True when it blocks."""
    from hotfix_gates.model.finding import printable
    from hotfix_gates.model.timeutil import format_timestamp

    shown = update.name + (f" (pushed as {update.source})" if update.source else "")
    config, config_key = server.for_update(update)
    default = update.branch == server.default_branch
    if update.new is None:
        return refuse_deletion(update, config, shown, default)
    decision = refs.decide(update, config.protected_branches)
    if decision.kind == refs.OTHER and default:
        decision = refs.Decision(refs.RULES, f"{update.branch} is the server's default branch, "
                                 "whose configuration judges the branches a push creates")
    if not decision.judged:
        return False
    commit = judge.commit(update.new, f"updating {update.ref}")
    tree = judge.tree(commit, f"pushed commit {str(commit.id)[:12]}")
    # A hotfix branch the server's HEAD names is given its target too: what
    # it does to the rules is judged beside its record (RefJudge.verdict).
    target = server.target(update) if decision.kind != refs.HOTFIX or default else None
    if target is not None and update.old in server.fell_back:
        target.next_config = server.next_config(commit, update.branch or update.name)
    base = f"origin/{update.branch}" if update.old else "origin/HEAD"
    rerun = printable(f"hotfix-gate check --rev {commit.id} --base {base} --branch "
                      f"{update.branch} --now {format_timestamp(judge.now)}")
    return judge.report(update, decision, tree, config, config_key, rerun, target, shown)


def refuse_deletion(update: refs.Update, config: Config, shown: str, default: bool) -> bool:
    """A protected branch stays: deleted and pushed anew, it would have no tip
    to keep its records and configuration from. So does the server's default
    branch (git refuses that unless receive.denyDeleteCurrent says otherwise):
    without it the defaults, not its configuration, judge new branches."""
    from hotfix_gates.model.finding import printable

    branch = update.branch or ""
    if not refs.is_protected(branch, config.protected_branches):
        if not default:
            return False
        print(f"hotfix-gate {HOOK} to {printable(shown)}: refused: {printable(branch)} is the "
              "server's default branch, whose configuration judges the branches a push "
              "creates; to retire it, the server's admin first points HEAD at another "
              "(`git symbolic-ref HEAD refs/heads/NAME`)", file=sys.stderr)
        return True
    print(f"hotfix-gate {HOOK} to {printable(shown)}: refused: {printable(branch)} is a "
          "protected branch and is not deleted here; to retire it, first push a "
          ".hotfix-gates.yaml to it that leaves it out of protected_branches", file=sys.stderr)
    return True


def server_clock(repo: pygit2.Repository, environ: Mapping[str, str]) -> datetime:
    """The server's clock, or `hotfix-gates.now` from the repository's own
    config file (never a user's: on a file-system remote that is the pusher's)."""
    import pygit2

    from hotfix_gates.model.errors import TimeError, ToolError
    from hotfix_gates.model.timeutil import parse_timestamp, resolve_now

    try:
        text = pygit2.Config(os.path.join(repo.path, "config"))[NOW_CONFIG]
    except KeyError:
        return resolve_now(None, {})
    except (pygit2.GitError, ValueError) as exc:
        raise ToolError(f"cannot read {NOW_CONFIG} from the server's git config: {exc}") from None
    try:
        return parse_timestamp(str(text))[0]
    except TimeError as exc:
        raise ToolError(f"git config {NOW_CONFIG} in the server's repository: {exc}") from None


def add_quarantine(repo: pygit2.Repository, environ: Mapping[str, str]) -> None:
    """Let libgit2 see the objects git holds back until the hook accepts them:
    `$GIT_QUARANTINE_PATH` (also named by `$GIT_OBJECT_DIRECTORY`) and any
    `$GIT_ALTERNATE_OBJECT_DIRECTORIES`."""
    candidates = [environ.get("GIT_QUARANTINE_PATH", ""), environ.get("GIT_OBJECT_DIRECTORY", "")]
    candidates += environ.get("GIT_ALTERNATE_OBJECT_DIRECTORIES", "").split(os.pathsep)
    seen = {os.path.realpath(os.path.join(repo.path, "objects"))}
    for raw in candidates:
        path = raw.strip()
        if len(path) > 1 and path[0] == path[-1] == '"':
            path = path[1:-1]
        if not path:
            continue
        real = os.path.realpath(path)
        if real in seen or not os.path.isdir(real):
            continue
        seen.add(real)
        repo.odb.add_disk_alternate(real)


class ServerConfig:
    """What judges an update: the configuration of the target branch's tip
    (else the server's HEAD, else the defaults; when it does not load, the
    last valid one in its history), and the tip's tree."""

    def __init__(self, repo: pygit2.Repository, judge: RefJudge) -> None:
        self.repo = repo
        self.judge = judge
        self._head: tuple[Config, str] | None = None
        self._by_tip: dict[str, tuple[Config, str]] = {}  # small: configs are shared by key
        self._warned: set[str] = set()
        self.fell_back: set[str] = set()  # tips whose configuration does not load

    def for_update(self, update: refs.Update) -> tuple[Config, str]:
        if update.old is not None:
            if update.old not in self._by_tip:
                tip = self.judge.commit(update.old, f"the current tip of {update.ref}")
                self._by_tip[update.old] = self._read(tip, update.name)
            return self._by_tip[update.old]
        if self._head is None:
            self._head = self._default_branch()
        return self._head

    def target(self, update: refs.Update) -> Target:
        """The branch as it stands, for a push to a protected branch; and the
        server's default branch when that is another one: a branch it
        creates, or one that lacks a record, must not restart the record's
        clock there (HG205)."""
        tree = None
        if update.old is not None:
            tip = self.judge.commit(update.old, f"the current tip of {update.ref}")
            tree = self.judge.tree(tip, f"{update.name} at {str(tip.id)[:12]}")
        head = self._head_commit()
        if head is None or head[0] == update.branch:
            return Target(tree)
        name, head_tip = head
        return Target(tree, reference=self.judge.tree(head_tip, f"{name} at "
                                                                 f"{str(head_tip.id)[:12]}"),
                      reference_name=name)

    def next_config(self, pushed: pygit2.Commit, branch: str) -> tuple[Config, str] | None:
        """What would judge the next push to a branch whose configuration is
        broken, if `pushed` lands: its own, else the last valid one in its
        first-parent history (None when its own loads: HG207 reads it)."""
        from hotfix_gates.git.configs import last_valid
        from hotfix_gates.model.errors import ConfigError

        try:
            self.judge.config(self.judge.tree(pushed, f"pushed commit {str(pushed.id)[:12]}"))
        except ConfigError:
            fallback = last_valid(self.repo, pushed, branch)
            return fallback.config, fallback.key
        return None

    def _default_branch(self) -> tuple[Config, str]:
        from hotfix_gates.model.config import Config

        head = self._head_commit()
        if head is None:
            return Config(), "defaults"
        return self._read(head[1], head[0])

    @functools.cached_property
    def default_branch(self) -> str | None:
        """The branch the server's HEAD names, born or not, read once per
        push (refs do not move before pre-receive accepts). HEAD may name an
        alias (`refs/heads/dev -> refs/heads/develop`): the branch is the end
        of the chain, the one a push to either moves and whose tip
        _head_commit reads."""
        name = "HEAD"
        try:
            for _ in range(aliases.MAX_HOPS + 1):
                ref = self.repo.references.get(name)
                target = ref.target if ref is not None else None
                if not isinstance(target, str):
                    break  # a branch (or unborn: no ref yet), not another alias
                name = target
            else:
                return None  # a loop: git names no branch either
        except Exception:  # noqa: BLE001 - a dangling or odd HEAD names nothing
            return None
        return name.removeprefix("refs/heads/") if name.startswith("refs/heads/") else None

    def _head_commit(self) -> tuple[str, pygit2.Commit] | None:
        """The branch the server's HEAD names, and its tip; None when unborn."""
        try:
            if self.repo.head_is_unborn:
                return None
            head = self.repo.head
        except Exception:  # noqa: BLE001 - a dangling or odd HEAD: nothing to read
            return None
        name = head.shorthand or "HEAD"
        return name, self.judge.commit(str(head.target), f"the server's HEAD ({name})")

    def _read(self, tip: pygit2.Commit, branch: str) -> tuple[Config, str]:
        from hotfix_gates.git.configs import last_valid
        from hotfix_gates.model.errors import ConfigError
        from hotfix_gates.model.finding import printable

        tree = self.judge.tree(tip, f"{branch} at {str(tip.id)[:12]}")
        try:
            return self.judge.config(tree)
        except ConfigError as exc:
            self.fell_back.add(str(tip.id))
            fallback = last_valid(self.repo, tip, branch)
            message = f"{exc}; {fallback.words} until it is fixed"
            if message not in self._warned:
                self._warned.add(message)
                print(f"hotfix-gate {HOOK}: warning: {printable(message)}", file=sys.stderr)
            return fallback.config, fallback.key


def entry() -> NoReturn:
    """The hook's process (the installed hook, the console script)."""
    from hotfix_gates.hooks.guard import finish

    finish(main())


if __name__ == "__main__":
    entry()
