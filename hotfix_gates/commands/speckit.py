"""`hotfix-gate speckit path|install`: the spec-kit extension shipped in this
package, and installing it into a spec-kit project with spec-kit's own CLI.

spec-kit installs an extension from a local folder only with
`specify extension add --dev FOLDER`: it copies the folder into
`.specify/extensions/hotfix-gates/`, renders the commands for the project's
coding agent there, and records the hooks in `.specify/extensions.yml`.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hotfix_gates.model.errors import EXIT_OK, ToolError

EXTENSION_PACKAGE = "hotfix_gates.speckit_extension"
EXTENSION_ID = "hotfix-gates"
ALIAS = "speckit.hotfix"
MANIFEST = "extension.yml"


def extension_dir() -> Path:
    """The shipped extension folder (package data; the repository's
    `speckit/` folder in a source checkout)."""
    from importlib import resources

    try:
        folder = Path(str(resources.files(EXTENSION_PACKAGE)))
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parent.parent.parent / "speckit"
    if not (folder / MANIFEST).is_file():
        raise ToolError(f"the spec-kit extension is missing from this installation ({folder}); "
                        "reinstall hotfix-gates")
    return folder


def path() -> int:
    """Print the folder to give `specify init --extension` or `specify extension add --dev`."""
    print(extension_dir())
    return EXIT_OK


def project_root(start: Path) -> Path:
    """The spec-kit project: the nearest folder, from `start` up, holding
    `.specify/` (spec-kit itself looks only in the current folder)."""
    for folder in (start, *start.parents):
        if (folder / ".specify").is_dir():
            return folder
    raise ToolError(f"{start} is not in a spec-kit project (no .specify/ folder here or above); "
                    "run `specify init --here --integration <agent>` first, or pass -C PATH")


def install(no_alias: bool, force: bool) -> int:
    """Install the extension into the spec-kit project here with `specify
    extension add --dev`; without `specify` on PATH, say the line to run."""
    root = project_root(Path.cwd().resolve())
    specify = shutil.which("specify")
    source = extension_dir()
    line = ["specify", "extension", "add", "--dev", str(source), *(["--force"] if force else [])]
    if specify is None:
        if no_alias:
            raise ToolError("`specify` (spec-kit's CLI) is not on PATH; install it "
                            "(`pip install specify-cli`) and run this command again")
        raise ToolError(f"`specify` (spec-kit's CLI) is not on PATH; install it (`pip install "
                        f"specify-cli`), or run this in {root}: {shlex.join(line)}")
    with tempfile.TemporaryDirectory(prefix="hotfix-gates-speckit-") as scratch:
        if no_alias:
            source = without_alias(source, Path(scratch) / EXTENSION_ID)
            line[4] = str(source)
        return _run(specify, line, root)


def _run(specify: str, line: list[str], root: Path) -> int:
    # spec-kit would look in $SPECIFY_INIT_DIR instead: install where we said.
    env = {k: v for k, v in os.environ.items() if k != "SPECIFY_INIT_DIR"}
    try:
        done = subprocess.run([specify, *line[1:]], cwd=root, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, errors="replace", check=False)
    except OSError as exc:
        raise ToolError(f"cannot run {specify}: {exc.strerror or exc}") from None
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    if done.returncode == 0:
        return EXIT_OK
    said = " ".join((done.stdout + done.stderr).split())  # spec-kit wraps its lines
    if f"{ALIAS} (already provided by extension" in said:
        raise ToolError(f"another extension (such as the spec-kit workflows extension) already "
                        f"provides /{ALIAS}; install this one without that alias: "
                        "`hotfix-gate speckit install --no-alias`")
    if f"'{EXTENSION_ID}' is already installed" in said:
        raise ToolError(f"the {EXTENSION_ID} extension is already installed in {root}; "
                        "`hotfix-gate speckit install --force` replaces it")
    raise ToolError(f"`{shlex.join(line)}` failed (exit {done.returncode}) in {root}; see "
                    "spec-kit's message above")


def without_alias(source: Path, copy: Path) -> Path:
    """A copy of the extension whose commands have no aliases, so it can sit
    beside another extension that claims /speckit.hotfix."""
    import yaml

    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    manifest = copy / MANIFEST
    data = yaml.safe_load(manifest.read_text("utf-8"))
    for command in data["provides"]["commands"]:
        command.pop("aliases", None)
    manifest.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return copy
