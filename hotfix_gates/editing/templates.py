"""The five files of a new record, rendered from templates: the repository's
own in `.specify/templates/hotfix/`, else the ones shipped in the package.

`{{name}}` placeholders are filled in one pass (a value is never read again
as a template): safe YAML scalars in the front matter, plain text in the body.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_gates.model.constants import RECORD_FILES
from hotfix_gates.model.errors import ToolError

if TYPE_CHECKING:
    from hotfix_gates.git.trees import FsTree
    from hotfix_gates.model.config import Config

TEMPLATE_FILES = RECORD_FILES
OVERRIDE_DIR = ".specify/templates/hotfix"
TEMPLATE_PACKAGE = "hotfix_gates.templates"
MAX_TITLE = 200
MAX_TEMPLATE = 256 * 1024
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_FENCE_OPEN = re.compile(r"---[ \t]*")
_FENCE_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")


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


def builtin_template(name: str) -> str:
    """A template shipped in the package (the top-level `templates/` folder)."""
    from importlib import resources

    try:
        return resources.files(TEMPLATE_PACKAGE).joinpath(name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        # A source checkout that was not installed: the folder next to the package.
        fallback = Path(__file__).resolve().parents[2] / "templates" / name
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


def template_values(config: Config, record_id: str, nnn: str, slug: str, title: str,
                    branch: str, severity: str | None, started: datetime,
                    folder: str) -> dict[str, object]:
    """What the placeholders stand for, with the deadlines this repository configures."""
    post_mortem, rule = deadline_words(config.deadline("post-mortem"))
    regression, _ = deadline_words(config.deadline("regression-test"))
    resolution, _ = deadline_words(config.deadline("resolution"))
    return {
        "id": record_id, "number": nnn, "slug": slug, "title": title, "branch": branch,
        "severity": severity, "incident_start": started, "dir": folder,
        "post_mortem_deadline": post_mortem, "post_mortem_rule": rule,
        "regression_deadline": regression, "resolution_deadline": resolution,
    }
