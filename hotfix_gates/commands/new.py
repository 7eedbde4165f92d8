"""`hotfix-gate new`: open an emergency hotfix record and its branch.

The record folder is written from templates (the repository's own in
`.specify/templates/hotfix/`, else the ones shipped in the package), the
number is chosen under a lock so two responders never get the same one, and
the branch is created and checked out without touching the working tree or
the index.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shlex
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_gates.model.errors import EXIT_OK, ToolError

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.git.trees import FsTree
    from hotfix_gates.model.config import Config

TEMPLATE_FILES = ("hotfix.md", "post-mortem.md", "plan.md", "tasks.md",
                  "POST_MORTEM_REMINDER.txt")
OVERRIDE_DIR = ".specify/templates/hotfix"
TEMPLATE_PACKAGE = "hotfix_gates.templates"
# A record is written here (inside specs_dir) and renamed into place whole.
STAGING_PREFIX = ".hotfix-gate-new-"
MAX_TITLE = 200
MAX_TEMPLATE = 256 * 1024
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_FENCE_OPEN = re.compile(r"---[ \t]*")
_FENCE_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")


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

    @property
    def dir(self) -> Path:
        return self.workdir / self.folder


# --- text that goes into a record ----------------------------------------------

def clean_title(description: str) -> str:
    """One printable line: line breaks and other spaces become one space,
    control and format characters (bidi overrides, zero-width, lone
    surrogates from undecodable arguments) are dropped, and the result is
    capped near MAX_TITLE characters."""
    kept = []
    for char in description:
        if char.isspace():
            kept.append(" ")
        elif unicodedata.category(char) not in ("Cc", "Cf", "Cs"):
            kept.append(char)
    title = " ".join("".join(kept).split())
    if len(title) > MAX_TITLE:
        cut = title[:MAX_TITLE]
        space = cut.rfind(" ")
        if space > MAX_TITLE // 2:
            cut = cut[:space]
        title = cut.rstrip() + "…"
    return title


def yaml_scalar(value: object) -> str:
    """`value` as one line of YAML that reads back as exactly `value`."""
    from hotfix_gates.editing.yamlemit import scalar_line
    from hotfix_gates.model.errors import EditError

    try:
        return scalar_line(value)
    except EditError as exc:
        raise ToolError(f"internal: {exc}") from None


def markdown_text(value: object) -> str:
    """A value written into a Markdown body: it must not open or close a comment."""
    if value is None:
        return "not assessed yet"
    if isinstance(value, datetime):
        from hotfix_gates.model.timeutil import format_timestamp

        return format_timestamp(value)
    return str(value).replace("<!--", "&lt;!--").replace("-->", "--&gt;")


def deadline_words(delta: timedelta) -> tuple[str, str]:
    """(`48 hours`, `48-hour`) for a configured deadline."""
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return (f"{hours} hour{'s' if hours != 1 else ''}", f"{hours}-hour")
    return (f"{minutes} minute{'s' if minutes != 1 else ''}", f"{minutes}-minute")


def render(template: str, values: Mapping[str, object]) -> str:
    """Fill `{{name}}` placeholders in one pass (a value is never re-read as a
    template): YAML scalars in the front matter, plain text in the body.
    Unknown placeholders are left as they are."""
    lines = template.split("\n")
    end = 0
    if lines and _FENCE_OPEN.fullmatch(lines[0]):
        end = next((i + 1 for i in range(1, len(lines)) if _FENCE_CLOSE.fullmatch(lines[i])), 0)

    def fill(text: str, as_yaml: bool) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                return match.group(0)
            value = values[name]
            return yaml_scalar(value) if as_yaml else markdown_text(value)
        return _PLACEHOLDER.sub(one, text)

    head = fill("\n".join(lines[:end]), True)
    body = fill("\n".join(lines[end:]), False)
    return f"{head}\n{body}" if end else body


# --- templates --------------------------------------------------------------------

def builtin_template(name: str) -> str:
    """A template shipped in the package (the top-level `templates/` folder)."""
    from importlib import resources

    try:
        return resources.files(TEMPLATE_PACKAGE).joinpath(name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        # A source checkout that was not installed: the folder next to the package.
        fallback = Path(__file__).resolve().parent.parent / "templates" / name
        try:
            return fallback.read_text("utf-8")
        except OSError:
            raise ToolError(f"the built-in template {name} is missing from this installation; "
                            "reinstall hotfix-gates") from None


def load_template(tree: FsTree, name: str) -> tuple[str, str]:
    """(text, where it came from): the repository's override, else the built-in."""
    from hotfix_gates.model.errors import TreeError
    from hotfix_gates.model.tree import read_text

    override = f"{OVERRIDE_DIR}/{name}"
    if tree.kind(override) is None:
        return builtin_template(name), f"built-in template {name}"
    try:
        text = read_text(tree, override, limit=MAX_TEMPLATE)
    except TreeError as exc:
        raise ToolError(f"template {override}: {exc}; fix it or delete it to use the "
                        "built-in one") from None
    return text.replace("\r\n", "\n"), f"template {override}"


# --- the repository -----------------------------------------------------------------

def _branch_conflict(ref: str, existing: list[str]) -> str | None:
    """Why `ref` cannot be created, if it cannot."""
    short = ref.removeprefix("refs/heads/")
    for name in existing:
        if not name.startswith("refs/heads/"):
            continue
        other = name.removeprefix("refs/heads/")
        if name == ref:
            return f"branch {short} already exists"
        if ref.startswith(name + "/") or name.startswith(ref + "/"):
            return (f"branch {other} exists, and git cannot have both {other} and {short}; "
                    "rename it, or pass --no-branch")
    return None


def _switch_to_new_branch(repo: pygit2.Repository, ref: str) -> None:
    """Create `ref` at HEAD's commit (or leave it unborn) and point HEAD at it.
    The index and the working tree are not touched."""
    import pygit2

    short = ref.removeprefix("refs/heads/")
    created = None
    try:
        if not repo.head_is_unborn:
            commit = repo.head.peel(pygit2.Commit)
            created = repo.create_branch(short, commit)
        # With no commit yet, HEAD simply names the new, unborn branch.
        repo.set_head(ref)
    except pygit2.AlreadyExistsError:
        raise ToolError(f"branch {short} already exists; it was left as it was") from None
    except (pygit2.GitError, ValueError, KeyError) as exc:
        detail = " ".join(str(exc).split()).rstrip(": ")
        if created is not None:
            # HEAD could not be moved (git busy?): take back the branch just made.
            with contextlib.suppress(pygit2.GitError, KeyError, ValueError):
                created.delete()
            raise ToolError(f"cannot switch to branch {short}: {detail}; nothing was "
                            "kept, run the command again") from None
        raise ToolError(f"cannot create branch {short}: {detail}") from None


def _prepare_folder(workdir: Path, tree: FsTree, specs_dir: str) -> list[Path]:
    """Make sure specs_dir is a real folder, never a file or symlink; return
    the folders created for it (so a failed command can take them back)."""
    parts = specs_dir.split("/")
    missing: list[Path] = []
    for depth in range(1, len(parts) + 1):
        here = "/".join(parts[:depth])
        kind = tree.kind(here)
        if kind is None:
            missing.extend(workdir.joinpath(*parts[:d]) for d in range(depth, len(parts) + 1))
            break
        if kind != "dir":
            what = {"link": "symlink", "file": "file"}.get(kind, kind)
            raise ToolError(f"{here} is a {what}, not a folder; hotfix records live in real "
                            "folders (move it, or set specs_dir in .hotfix-gates.yaml)")
    made: list[Path] = []
    for folder in missing:
        try:
            os.mkdir(folder)
            made.append(folder)
        except FileExistsError:
            continue  # made by someone else meanwhile: theirs, not ours to remove
        except OSError as exc:
            _undo([], made)
            raise ToolError(f"cannot create {specs_dir}: {exc.strerror}") from None
    return made


def _verify(text: str, source: str, folder: str, expected: Mapping[str, object]) -> None:
    """The rendered hotfix.md must read back cleanly as the record intended."""
    from hotfix_gates.parsing.hotfix import parse_hotfix

    rel = f"{folder}/hotfix.md"
    record, findings = parse_hotfix(rel, folder, text.encode("utf-8"))
    if findings:
        first = findings[0]
        raise ToolError(f"{source} does not give a valid hotfix.md (line {first.line}: "
                        f"{first.message}); fix the template, nothing was written")
    if record.format != "front-matter":
        raise ToolError(f"{source} has no front matter; start it with the keys of the record "
                        "between `---` lines (nothing was written)")
    for key, want in expected.items():
        got = getattr(record, key)
        if got != want:
            raise ToolError(f"{source} gives {key} {got!r:.80} instead of {want!r:.80}; write "
                            f"`{key}: {{{{{key}}}}}` in its front matter (nothing was written)")


def create_record(
    repo: pygit2.Repository,
    description: str,
    severity: str | None = None,
    *,
    make_branch: bool = True,
    started: datetime,
    number: int | None = None,
    lock_wait: float | None = None,
) -> Created:
    """Write a new record folder (and branch). `number` is for callers that
    must use a given number; normally the next free one is chosen."""
    from hotfix_gates.editing.numbering import branch_names, format_number, next_number
    from hotfix_gates.editing.slug import slugify
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

    from hotfix_gates.editing.locks import NEW_LOCK, WAIT, common_dir, held

    if make_branch:
        _refuse_mid_operation(repo)
    wait = WAIT if lock_wait is None else lock_wait
    with held(common_dir(repo) / NEW_LOCK, "another `hotfix-gate new` is running", wait):
        existing = branch_names(repo)
        if number is None:
            number = next_number(tree, config.specs_dir, existing)
        nnn = format_number(number)
        record_id = f"hotfix-{nnn}"
        branch = f"hotfix/{nnn}-{slug}"
        ref = f"refs/heads/{branch}"
        folder = f"{config.specs_dir}/{nnn}-{slug}"
        if make_branch:
            problem = _branch_conflict(ref, existing)
            if problem:
                raise ToolError(f"{problem}; nothing was written")
        values = _values(config, record_id, nnn, slug, title, branch, severity, started, folder)
        rendered = {name: render(text, values) for name, (text, _) in templates.items()}
        _verify(rendered["hotfix.md"], templates["hotfix.md"][1], folder, {
            "id": record_id, "title": title, "branch": branch, "severity": severity,
            "status": "investigating", "incident_start": started})
        files, folders = _write_folder(workdir, tree, config.specs_dir, folder, rendered)
        if make_branch:
            try:
                _switch_to_new_branch(repo, ref)
            except ToolError:
                _undo(files, folders)
                raise
    return Created(number, record_id, slug, title, severity, branch, make_branch, workdir,
                   folder, TEMPLATE_FILES, started, str(values["post_mortem_deadline"]),
                   str(values["regression_deadline"]))


def _values(config: Config, record_id: str, nnn: str, slug: str, title: str, branch: str,
            severity: str | None, started: datetime, folder: str) -> dict[str, object]:
    post_mortem, rule = deadline_words(config.deadline("post-mortem"))
    regression, _ = deadline_words(config.deadline("regression-test"))
    return {
        "id": record_id, "number": nnn, "slug": slug, "title": title, "branch": branch,
        "severity": severity, "incident_start": started, "dir": folder,
        "post_mortem_deadline": post_mortem, "post_mortem_rule": rule,
        "regression_deadline": regression,
    }


def _write_folder(workdir: Path, tree: FsTree, specs_dir: str, folder: str,
                  rendered: Mapping[str, str]) -> tuple[list[Path], list[Path]]:
    """Write the record in a hidden folder beside its place, then rename it
    into place, so it appears whole or not at all (a killed `new` leaves no
    half record) and nothing is ever replaced; return (files, folders)
    written, for `_undo`. Runs under the `new` lock."""
    from hotfix_gates.editing.atomic import create_exclusive

    made = _prepare_folder(workdir, tree, specs_dir)
    parent = workdir / specs_dir
    _sweep_staging(parent)
    target = workdir / folder
    if os.path.lexists(target):
        _undo([], made)
        raise ToolError(f"{folder} already exists; it was left as it was (nothing was "
                        "written)")
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    except OSError as exc:
        _undo([], made)
        raise ToolError(f"cannot create a folder in {specs_dir}: {exc.strerror}") from None
    files: list[Path] = []
    try:
        for name, text in rendered.items():
            create_exclusive(staging / name, text.encode("utf-8"))
            files.append(staging / name)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp's folder is private
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists")
        os.rename(staging, target)
    except OSError as exc:
        _undo(files, [*made, staging])
        if isinstance(exc, FileExistsError):  # the folder appeared meanwhile
            raise ToolError(f"{folder} already exists; it was left as it was (nothing was "
                            "written)") from None
        raise ToolError(f"cannot write {folder}: {exc.strerror or exc}; nothing was "
                        "kept") from None
    return [target / name for name in rendered], [*made, target]


def _sweep_staging(parent: Path) -> None:
    """Remove what a killed `new` left in its hidden folder: under the lock,
    no other `new` is writing one."""
    try:
        leftovers = [p for p in parent.iterdir() if p.name.startswith(STAGING_PREFIX)]
    except OSError:
        return
    for folder in leftovers:
        if folder.is_symlink() or not folder.is_dir():
            continue
        with contextlib.suppress(OSError):
            for item in folder.iterdir():
                if item.is_file() and not item.is_symlink() and (
                        item.name in TEMPLATE_FILES or item.name.endswith(".tmp")):
                    item.unlink()
            folder.rmdir()


# repository states (pygit2's names) in the words git uses; REBASE_MERGE is a rebase
_OPERATIONS = (("REBASE", "rebase"), ("MAILBOX", "`git am`"), ("CHERRYPICK", "cherry-pick"),
               ("REVERT", "revert"), ("BISECT", "bisect"), ("MERGE", "merge"))


def _refuse_mid_operation(repo: pygit2.Repository) -> None:
    """Switching branches in the middle of a merge, rebase, cherry-pick,
    revert or bisect would carry that operation onto the hotfix branch."""
    import pygit2

    try:
        state = repo.state()
    except pygit2.GitError:
        return
    if state != pygit2.enums.RepositoryState.NONE:
        name = state.name
        what = next((words for key, words in _OPERATIONS if key in name), "git operation")
        raise ToolError(f"a {what} is in progress; finish or abort it first, or open the hotfix "
                        "without switching branches: `hotfix-gate new --no-branch ...`")


def _undo(files: list[Path], folders: list[Path]) -> None:
    """Take back a half-made record: only the files and folders this command
    made (a folder is removed only while empty)."""
    for path in files:
        with contextlib.suppress(OSError):
            os.unlink(path)
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


# --- the command ----------------------------------------------------------------

def new(description: str, severity: str | None, at: str | None,
        no_branch: bool, as_json: bool, as_shell: bool) -> int:
    """Open an emergency hotfix: the record folder specs/hotfix/NNN-slug/
    (hotfix.md, post-mortem.md, plan.md, tasks.md, POST_MORTEM_REMINDER.txt)
    and the branch hotfix/NNN-slug, switched to with uncommitted work kept."""
    from hotfix_gates.git.repository import open_repo
    from hotfix_gates.model.timeutil import moment_at

    if as_json and as_shell:
        raise ToolError("choose one of --json and --shell")
    started = moment_at(at)
    repo = open_repo()
    created = create_record(repo, description,
                            severity.upper() if severity else None,
                            make_branch=not no_branch, started=started)
    if as_json:
        print(json.dumps(_as_dict(created), ensure_ascii=False))
    elif as_shell:
        print(f"export SPECIFY_HOTFIX={shlex.quote(created.id)}")
        print(f"export HOTFIX_DIR={shlex.quote(str(created.dir))}")
    else:
        print(_next_steps(created))
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


def _next_steps(created: Created) -> str:
    from hotfix_gates.model.timeutil import format_timestamp

    post_mortem, regression = created.post_mortem_deadline, created.regression_deadline
    within = (f"within {post_mortem}" if post_mortem == regression
              else f"within {regression} / {post_mortem}")
    if created.branch_created:
        branch = f"{created.branch} (checked out; uncommitted changes kept)"
    else:
        branch = f"{created.branch} (not created: --no-branch)"
    severity = (f"severity is {created.severity}; change it with `hotfix-gate set severity "
                "P0|P1|P2`" if created.severity else
                "assess severity: `hotfix-gate set severity P0|P1|P2` (P0 outage, P1 major, "
                "P2 minor)")
    lines = [
        f"Opened {created.id}: {created.title}",
        f"  record:  {created.folder}/",
        f"  branch:  {branch}",
        f"  started: {format_timestamp(created.incident_start)}",
        "",
        "Next steps:",
        f"  1. {severity[0].upper()}{severity[1:]}",
        "  2. Notify: the incident channel, the on-call lead, the status page if customers "
        "are affected",
        "  3. Write how to undo the fix: `hotfix-gate set rollback-plan \"...\"`",
        "  4. Fix it with the smallest safe change (tests may follow: the emergency "
        "exception); note progress with `hotfix-gate log \"...\"`",
        "  5. Deploy: `hotfix-gate deployed`, then once stable `hotfix-gate resolved`",
        f"  6. Then, {within} of resolution: a regression test "
        "(`hotfix-gate regression-test PATH::NAME`) and a complete post-mortem.md "
        "(`hotfix-gate post-mortem-complete`)",
        "`hotfix-gate check` shows what is still missing at any time.",
    ]
    return "\n".join(lines)
