"""The one YAML writer: every value the tool puts into a record goes through here.

Values are emitted by PyYAML's safe dumper, never pasted in as text, so no
value can add a key, close the front matter or start a comment. Timestamps
are written plain (`2025-10-01T14:32:18Z`), several lines as a literal block,
and nothing is ever folded over several lines.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml

from hotfix_gates.model.errors import EditError
from hotfix_gates.model.timeutil import format_timestamp

# Characters YAML or str.splitlines() treat as line breaks although `\n`-split lines do not.
ODD_BREAKS = re.compile(r"[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_WIDE = 1 << 30  # never fold a long value over several lines


class Stamp(str):
    """A UTC timestamp written as a plain YAML timestamp (2025-10-01T14:32:18Z)."""

    __slots__ = ()

    @classmethod
    def of(cls, moment: datetime) -> Stamp:
        return cls(format_timestamp(moment))

    def __new__(cls, text: str) -> Stamp:
        if not _STAMP.fullmatch(text):
            raise ValueError(f"not a canonical UTC timestamp: {text!r}")
        return super().__new__(cls, text)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # the reader refuses aliases; never write one


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Several lines read best as a literal block; the emitter falls back to a
    # double-quoted scalar when a block cannot hold the text exactly. Text
    # ending in a line break is quoted: a block would need keep-chomping,
    # which swallows the blank lines after it.
    style = None
    if data.endswith("\n"):
        style = '"'
    elif "\n" in data:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_stamp(dumper: yaml.SafeDumper, data: Stamp) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", str(data))


def _represent_datetime(dumper: yaml.SafeDumper, data: datetime) -> yaml.ScalarNode:
    return _represent_stamp(dumper, Stamp.of(data))


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Stamp, _represent_stamp)
_Dumper.add_representer(datetime, _represent_datetime)


def dump_lines(value: object, key: str | None = None) -> list[str]:
    """`key: value` (or the bare value) as YAML lines, with no line ending."""
    data = {key: value} if key is not None else value
    text = ""
    for unicode in (True, False):
        text = yaml.dump(data, Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                         allow_unicode=unicode, width=_WIDE)
        if not ODD_BREAKS.search(text):
            break
    if text.endswith("\n...\n"):
        text = text[: -len("...\n")]  # a document end marker would close the front matter
    return text[:-1].split("\n") if text.endswith("\n") else text.split("\n")


def scalar_line(value: object) -> str:
    """`value` as one line of YAML that reads back as exactly `value` (for a
    template's `key: {{placeholder}}`); EditError when it needs several."""
    lines = dump_lines(value)
    if len(lines) != 1:
        raise EditError(f"{value!r:.60} does not fit on one YAML line")
    return lines[0]


def front_matter_block(values: dict[str, object], comments: dict[str, str],
                       newline: str = "\n") -> bytes:
    """A whole front matter block, `---` to `---`, one key after the other,
    each with its comment (`key: value  # comment`) when one is given."""
    lines = ["---"]
    for key, value in values.items():
        dumped = dump_lines(value, key)
        if key in comments:
            comment = " ".join(comments[key].split())
            if len(dumped) == 1:
                dumped[0] += f"  # {comment}"
            else:
                dumped.insert(0, f"# {key}: {comment}")
        lines.extend(dumped)
    lines.append("---")
    return (newline.join(lines) + newline).encode("utf-8")
