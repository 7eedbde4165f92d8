"""Byte-preserving edits of hotfix.md (and of post-mortem.md's front matter).

An edit rewrites only the lines of the one key it changes (or inserts new
lines); every other line of the front matter (comments, blank lines, key
order, quoting) and of the body keeps its bytes, line endings (CRLF too) and
a leading BOM; a comment inside a rewritten value is kept on a line of its
own. Values are emitted by the one YAML writer (yamlemit), never pasted in
as text, so no value can add a key. After each edit the result is checked
(editing.verify): if anything but the intended value changed, the edit is
refused (EditError) and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from hotfix_gates.editing.document import BOM as BOM
from hotfix_gates.editing.document import Doc as _Doc
from hotfix_gates.editing.verify import front_matter_values as front_matter_values
from hotfix_gates.editing.verify import verify as verify
from hotfix_gates.editing.verify import verify_front_matter as verify_front_matter
from hotfix_gates.editing.yamlemit import ODD_BREAKS as _ODD_BREAKS
from hotfix_gates.editing.yamlemit import dump_lines
from hotfix_gates.model.errors import EditError
from hotfix_gates.parsing.markdown import Document, timeline_table

# Where a missing key goes: after the nearest key that precedes it here.
KEY_ORDER = (
    "id", "title", "branch", "severity", "status", "incident_start", "detected_at",
    "deployed_at", "resolved_at", "rollback_plan", "reviewed_by", "regression_tests",
    "regression_tests_added_at", "waivers",
)
TIMELINE_HEADER = ("| Time (UTC) | Event |", "| --- | --- |")

# What may follow `key:` on a key line whose value continues below: a block
# scalar header and a comment.
_KEY_LINE_REST = re.compile(r"[ \t]*:(?:[ \t]+[|>][-+1-9]*)?([ \t]+#.*)?[ \t]*")
_TAIL_COMMENT = re.compile(r"[ \t]+#.*")


@dataclass
class _Entry:
    key: str
    first: int  # file line index of `key:`
    last: int  # file line index of the value's last line
    key_node: yaml.Node
    value: yaml.Node


def _entries(doc: _Doc) -> list[_Entry]:
    """The top-level keys of the front matter with the lines each spans."""
    yaml_lines = doc.lines[1:doc.close]
    text = "\n".join(yaml_lines)
    if _ODD_BREAKS.search(text):
        raise EditError("the front matter holds unusual line-break characters; "
                        "edit the file by hand")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        raise EditError("the front matter is not valid YAML") from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise EditError("the front matter is not a block of `key: value` lines; "
                        "edit the file by hand")
    out: list[_Entry] = []
    for key_node, value in root.value:
        if (not isinstance(key_node, yaml.ScalarNode) or key_node.start_mark.column != 0
                or key_node.start_mark.line != key_node.end_mark.line):
            raise EditError("the front matter uses indented or complex keys; "
                            "edit the file by hand")
        first = 1 + key_node.start_mark.line
        last = 1 + max(_last_line(value, yaml_lines), key_node.start_mark.line)
        out.append(_Entry(str(key_node.value), first, last, key_node, value))
    return out


def _last_line(node: yaml.Node, lines: list[str]) -> int:
    """The last (YAML-text) line holding part of `node`: its end mark, except
    that block collections end where their last item ends, not at the next
    key, and trailing blank lines of a block scalar are not kept."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        end = node.end_mark
        last = max(end.line if end.column > 0 else end.line - 1, node.start_mark.line)
        keep = isinstance(node, yaml.ScalarNode) and str(node.value).endswith("\n\n")
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">") and not keep:
            while last > node.start_mark.line and not lines[last].strip():
                last -= 1
        return last
    children = node.value
    if not children:
        return int(node.start_mark.line)
    tail = children[-1]
    if isinstance(node, yaml.MappingNode):
        return max(_last_line(tail[0], lines), _last_line(tail[1], lines))
    return _last_line(tail, lines)


def _exact_end(node: yaml.Node) -> yaml.Mark | None:
    """Where the last token of `node` ends, when that is exact (not a block scalar)."""
    if isinstance(node, yaml.ScalarNode):
        return None if node.style in ("|", ">") else node.end_mark
    if getattr(node, "flow_style", False):
        return node.end_mark
    if not node.value:
        return None
    tail = node.value[-1]
    return _exact_end(tail[1] if isinstance(node, yaml.MappingNode) else tail)


def _comments(doc: _Doc, entry: _Entry) -> tuple[str | None, str | None]:
    """The comment after `key:` on a key line whose value continues below, and
    the comment after the value's last token (each with its leading blanks)."""
    head = None
    if entry.last > entry.first:
        rest = doc.lines[entry.first][entry.key_node.end_mark.column:]
        match = _KEY_LINE_REST.fullmatch(rest)
        head = match.group(1) if match else None
    tail = None
    end = _exact_end(entry.value)
    if end is not None and 1 + end.line == entry.last:
        rest = doc.lines[entry.last][end.column:]
        if _TAIL_COMMENT.fullmatch(rest):
            tail = rest
    return head, tail


def _with_comments(new: list[str], key: str, head: str | None, tail: str | None) -> list[str]:
    """The emitted lines with the old line's comments kept: on the first line
    when it can end in a comment (`key: value`, `key:` with a list below, or a
    block scalar header), else on lines of their own."""
    comments = [c for c in (head, tail) if c]
    if not comments:
        return new
    out = list(new)
    if len(out) == 1 or re.fullmatch(rf"{re.escape(key)}:(?: [|>][-+1-9]*)?", out[0]):
        out[0] += comments[0]
        if len(comments) > 1:
            out.append(comments[1].lstrip())  # two comments on one line would read as one
        return out
    return [c.lstrip() for c in comments] + out


def _inner_comments(doc: _Doc, entry: _Entry, head: str | None, tail: str | None) -> list[str]:
    """The comments inside the lines an entry spans, other than `head` and
    `tail`: comment lines between the key and its value, and comments inside
    a flow collection or between the items of a block one."""
    from hotfix_gates.editing.comments import find_comments

    inner = []
    for comment in find_comments("\n".join(doc.lines[1:doc.close])):
        line = 1 + comment.line
        if not entry.first <= line <= entry.last:
            continue
        if not comment.own_line and ((line == entry.first and head and entry.last > entry.first)
                                     or (line == entry.last and tail)):
            continue
        inner.append(comment.text)
    return inner


def _replace(doc: _Doc, entry: _Entry, key: str, new: list[str]) -> bytes:
    """The document with `entry` rewritten as `new`, keeping every comment its
    lines held: those of the key line and of the value's last line where they
    were, any other one on a line of its own just above the key."""
    head, tail = _comments(doc, entry)
    inner = _inner_comments(doc, entry, head, tail)
    lines = [*inner, *_with_comments(new, key, head, tail)]
    return doc.splice(entry.first, entry.last + 1, lines, doc.ends[entry.first])


def set_key(data: bytes, key: str, value: object,
            check: Callable[[bytes, bytes, dict[str, object]], None] | None = None) -> bytes:
    """Set one top-level front-matter key; other bytes stay as they are.
    `check` verifies the result (default: as a hotfix.md, see verify)."""
    doc = _Doc.parse(data)
    entries = _entries(doc)
    found = next((e for e in entries if e.key == key), None)
    new = dump_lines(value, key)
    if found is None:
        at = _insert_at(doc, entries, key)
        out = doc.splice(at, at, new)
    else:
        out = _replace(doc, found, key, new)
    (check or verify)(data, out, {key: value})
    return out


def _insert_at(doc: _Doc, entries: list[_Entry], key: str) -> int:
    """The line index before which a missing key goes."""
    if not entries:
        return doc.close
    by_key = {e.key: e for e in entries}
    if key in KEY_ORDER:
        for earlier in reversed(KEY_ORDER[:KEY_ORDER.index(key)]):
            if earlier in by_key:
                return by_key[earlier].last + 1
    return entries[-1].last + 1


def append_item(data: bytes, key: str, item: object) -> bytes:
    """Append `item` to the list under `key` (created when missing or null;
    a flow-style list such as `[]` is rewritten as a block list)."""
    doc = _Doc.parse(data)
    entries = _entries(doc)
    found = next((e for e in entries if e.key == key), None)
    old = front_matter_values(data).get(key)
    if found is not None and old is not None and not isinstance(old, list):
        raise EditError(f"{key} is not a list; fix it by hand first")
    items: list[object] = [*(old if isinstance(old, list) else []), item]
    node = found.value if found is not None else None
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        first_item = doc.lines[1 + node.value[0].start_mark.line]
        indent = len(first_item) - len(first_item.lstrip(" "))
        if first_item[indent:indent + 1] != "-":
            raise EditError(f"the {key} list has an unusual layout; edit hotfix.md by hand")
        assert found is not None
        new = [" " * indent + line if line else line for line in dump_lines([item])]
        out = doc.splice(found.last + 1, found.last + 1, new, doc.ends[found.last])
    elif found is None:
        at = _insert_at(doc, entries, key)
        out = doc.splice(at, at, dump_lines(items, key))
    else:
        out = _replace(doc, found, key, dump_lines(items, key))
    verify(data, out, {key: items})
    return out


def remove_item(data: bytes, key: str, item: object) -> bytes:
    """Remove the first `item` from the list under `key`. In a block list only
    the item's own lines go (a comment on them stays, on a line of its own);
    a list left empty, or a flow list, is rewritten (`key: []`)."""
    doc = _Doc.parse(data)
    entries = _entries(doc)
    found = next((e for e in entries if e.key == key), None)
    old = front_matter_values(data).get(key)
    if found is None or not isinstance(old, list) or item not in old:
        raise EditError(f"{item!r:.80} is not listed under {key}")
    index = old.index(item)
    items = old[:index] + old[index + 1:]
    node = found.value
    if (isinstance(node, yaml.SequenceNode) and not node.flow_style and items
            and len(node.value) == len(old)):
        out = _drop_block_item(doc, node, index)
    else:
        out = _replace(doc, found, key, dump_lines(items, key))
    verify(data, out, {key: items})
    return out


def _drop_block_item(doc: _Doc, node: yaml.SequenceNode, index: int) -> bytes:
    """The document without item `index` of a block list: its lines from the
    `-` to its last line, their comments kept as comment lines."""
    from hotfix_gates.editing.comments import find_comments

    yaml_lines = doc.lines[1:doc.close]
    child = node.value[index]
    first = 1 + child.start_mark.line
    last = 1 + _last_line(child, yaml_lines)
    dash = doc.lines[first]
    indent = len(dash) - len(dash.lstrip(" "))
    if dash[indent:indent + 1] != "-":
        raise EditError("the list has an unusual layout; edit the file by hand")
    kept = [" " * indent + c.text for c in find_comments("\n".join(yaml_lines))
            if first <= 1 + c.line <= last]
    return doc.splice(first, last + 1, kept, doc.ends[first])


# --- the timeline in the body -------------------------------------------------

def table_cell(text: str) -> str:
    """Text made safe for one Markdown table cell: one line, pipes escaped."""
    parts = [p.strip() for p in re.split(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", text)]
    cell = "<br>".join(p for p in parts if p)
    cell = re.sub(r"[\x00-\x1f\x7f]", " ", cell)
    return cell.replace("|", r"\|")


def _cells(row: str) -> int:
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith(r"\|") else inner
    return len(re.split(r"(?<!\\)\|", inner))


def append_timeline_row(data: bytes, when: str, message: str) -> bytes:
    """Append `| when | message |` to the visible table under `## Timeline`
    in the body, as the Markdown reader sees it: never into a table inside an
    HTML comment or a code block, never under a commented-out heading. With
    no visible table, one is added to the section (or the section to the
    body). Only new lines are written; the front matter is untouched; a row
    that would not show in the Timeline is refused."""
    cell = table_cell(message)
    if not cell:
        raise EditError("the timeline message is empty")
    doc = _Doc.parse(data)
    body = doc.close + 1
    if any("\r" in line for line in doc.lines[body:]):
        raise EditError("the body has carriage returns without line feeds; save hotfix.md "
                        "with LF or CRLF line endings, then log again")
    page = _read_body(doc)
    section = page.find("Timeline")
    table = timeline_table(page) if section is not None else None
    row = f"| {when} | {cell} |"
    if section is None:
        new = ["## Timeline", "", *TIMELINE_HEADER, row]
        if doc.lines and doc.lines[-1].strip():
            new.insert(0, "")
        return _insert_row(doc, data, [(len(doc.lines), new)], when)
    if table is not None:
        extra = max(len(table.cells[0]) - 2, 0) if table.cells else 0
        row = "| " + " | ".join([when, cell, *([""] * extra)]) + " |"
        return _insert_row(doc, data, [(table.end + 1, [row])], when)
    start, stop = body + section.start, body + section.stop
    at = next((index + 1 for index in range(stop - 1, start - 1, -1)
               if doc.lines[index].strip()), start)
    # After the section's last line, unless that is inside a comment or a
    # code block left open to the end of the file: then right under the heading.
    under = ["", *TIMELINE_HEADER, row]
    if start < len(doc.lines) and doc.lines[start].strip():
        under.append("")
    return _insert_row(doc, data, [(at, ["", *TIMELINE_HEADER, row]), (start, under)], when)


def _read_body(doc: _Doc) -> Document:
    """The body as the Markdown reader sees it, its lines numbered as indexes
    of doc.lines (to insert by them), not as lines of the file."""
    from hotfix_gates.parsing.markdown import TooLarge, read

    try:
        return read("\n".join(doc.lines[doc.close + 1:]), doc.close + 1)
    except TooLarge as exc:
        raise EditError(f"the body is too large to read ({exc}); add the row by hand") from None


def _insert_row(doc: _Doc, data: bytes, choices: list[tuple[int, list[str]]],
                when: str) -> bytes:
    """The first of `choices` (where, lines) whose row shows as the last row
    of the visible Timeline table."""
    for at, new in choices:
        out = _append_lines(doc, at, new, data)
        row = at + next(i for i, line in enumerate(new) if line.startswith(f"| {when} |"))
        table = timeline_table(_read_body(_Doc.parse(out)))
        if table is not None and table.rows and table.rows[-1] == row:
            return out
    raise EditError("the new row would not show in the Timeline (the file ends inside an "
                    "unclosed HTML comment or code block?); close it, or add the row by hand")


def _append_lines(doc: _Doc, at: int, new: list[str], data: bytes) -> bytes:
    ends = list(doc.ends)
    if at > 0 and not ends[at - 1]:
        ends[at - 1] = doc.newline  # the old last line gains the ending it lacked
    lines = doc.lines[:at] + new + doc.lines[at:]
    ends = ends[:at] + [doc.newline] * len(new) + ends[at:]
    out = _Doc(doc.prefix, lines, ends, doc.newline, 0).render()
    verify(data, out, {})
    return out
