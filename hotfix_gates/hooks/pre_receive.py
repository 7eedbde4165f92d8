"""pre-receive: the pre-push rule on the server, for every updated ref.

Reads `<old id> <new id> <ref>` lines. Unlike pre-push it cannot be skipped
with `git push --no-verify`, and it reads `.hotfix-gates.yaml` from the
target branch's current tip (the old id; for a new branch the server's HEAD;
with neither, the defaults), never from the pushed commit, so a push cannot
weaken the rules that judge it. A broken configuration on the server is
reported and the defaults judge the push, so the push that repairs it can
land.

git keeps the pushed objects in a quarantine folder until the hook accepts
them; libgit2 does not read git's environment variables, so that folder is
added to the object database as an alternate. Findings go to stderr, which
the pusher sees as `remote:` lines.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from hotfix_gates.hooks import refs
from hotfix_gates.hooks.guard import guarded
from hotfix_gates.hooks.judge import RefJudge, clock, open_repository

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.model.config import Config

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
    updates = refs.parse_receive_lines(refs.read_stdin(stdin))
    if not any(refs.needs_config(u) for u in updates):
        return 0
    repo = open_repository(environ)
    add_quarantine(repo, environ)
    judge = RefJudge(repo, clock(environ), HOOK)
    judge.missing_hint = ("nor in git's quarantine ($GIT_QUARANTINE_PATH); run the hook from "
                          "git's receive-pack, or check `git fsck`")
    server = ServerConfig(repo, judge)
    blocked = False
    try:
        for update in updates:
            if not refs.needs_config(update) or update.new is None:
                continue
            config, config_key = server.for_update(update)
            decision = refs.decide(update, config.protected_branches)
            if not decision.judged:
                continue
            commit = judge.commit(update.new, f"updating {update.ref}")
            tree = judge.tree(commit, f"pushed commit {str(commit.id)[:12]}")
            base = f"origin/{update.branch}" if update.old else "origin/HEAD"
            rerun = (f"hotfix-gate check --rev {commit.id} --base {base} --branch {update.branch}")
            blocked |= judge.report(update, decision, tree, config, config_key, rerun)
    finally:
        judge.save()
    return 1 if blocked else 0


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
    """The configuration that judges an update: the target branch's tip,
    else the server's HEAD, else the defaults."""

    def __init__(self, repo: pygit2.Repository, judge: RefJudge) -> None:
        self.repo = repo
        self.judge = judge
        self._head: tuple[Config, str] | None = None
        self._by_tip: dict[str, tuple[Config, str]] = {}  # small: configs are shared by key
        self._warned: set[str] = set()

    def for_update(self, update: refs.Update) -> tuple[Config, str]:
        if update.old is not None:
            if update.old not in self._by_tip:
                tip = self.judge.commit(update.old, f"the current tip of {update.ref}")
                self._by_tip[update.old] = self._read(tip, f"{update.name} at "
                                                           f"{str(tip.id)[:12]}")
            return self._by_tip[update.old]
        if self._head is None:
            self._head = self._default_branch()
        return self._head

    def _default_branch(self) -> tuple[Config, str]:
        from hotfix_gates.model.config import Config

        try:
            if self.repo.head_is_unborn:
                return Config(), "defaults"
            head = self.repo.head
        except Exception:  # noqa: BLE001 - a dangling or odd HEAD: nothing to read
            return Config(), "defaults"
        name = head.shorthand or "HEAD"
        tip = self.judge.commit(str(head.target), f"the server's HEAD ({name})")
        return self._read(tip, f"{name} at {str(tip.id)[:12]}")

    def _read(self, tip: pygit2.Commit, label: str) -> tuple[Config, str]:
        from hotfix_gates.model.config import Config
        from hotfix_gates.model.errors import ConfigError

        tree = self.judge.tree(tip, label)
        try:
            return self.judge.config(tree)
        except ConfigError as exc:
            message = str(exc)
            if message not in self._warned:
                self._warned.add(message)
                print(f"hotfix-gate {HOOK}: warning: {message}; the default configuration "
                      "judges this push until that is fixed", file=sys.stderr)
            return Config(), "defaults"


if __name__ == "__main__":
    sys.exit(main())
