"""Checking an edit before it is written: the result must read as the
original with exactly the intended change, hold the same comments, and (for
hotfix.md) still be a valid record. Anything else is refused, never written.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from hotfix_gates.editing.document import Doc
from hotfix_gates.editing.yamlemit import Stamp
from hotfix_gates.model.errors import EditError, TimeError
from hotfix_gates.model.finding import Level
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.model.timeutil import parse_timestamp
from hotfix_gates.parsing.hotfix import RECORD_CODE, parse_hotfix


def front_matter_values(data: bytes) -> dict[str, object]:
    """The front matter's keys and values as the gates' reader sees them."""
    from hotfix_gates.parsing.hotfix import (
        NoFrontMatter,
        UnclosedFrontMatter,
        decode,
        split_front_matter,
    )
    from hotfix_gates.parsing.yamlread import YamlProblem, load_mapping

    try:
        block = split_front_matter(decode(data))
        return load_mapping(block.yaml_text, block.yaml_line).values
    except (UnicodeDecodeError, NoFrontMatter, UnclosedFrontMatter, YamlProblem) as exc:
        raise EditError(f"the edited front matter does not read back ({exc})") from None


def _same(a: object, b: object) -> bool:
    if isinstance(a, (datetime, Stamp)) or isinstance(b, (datetime, Stamp)):
        try:
            return parse_timestamp(a)[0] == parse_timestamp(b)[0]
        except TimeError:
            return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, str) and isinstance(b, str):
        # A block scalar that ends the front matter has no final line break
        # until a key is added after it; the record strips text anyway.
        return a.rstrip("\n") == b.rstrip("\n")
    return type(a) is type(b) and a == b


def _trimmed(value: object) -> object:
    """Unknown keys' values with strings compared without final line breaks (see _same)."""
    if isinstance(value, str):
        return value.rstrip("\n")
    if isinstance(value, list):
        return [_trimmed(v) for v in value]
    if isinstance(value, dict):
        return {k: _trimmed(v) for k, v in value.items()}
    return value


_LAYOUT_FIELDS = {"lines", "body_line", "path", "folder"}


def _snapshot(record: HotfixRecord) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in fields(record):
        if item.name in _LAYOUT_FIELDS:
            continue
        value = getattr(record, item.name)
        if item.name == "waivers":
            value = [(w.gate, w.reason, w.by, w.at, w.until) for w in value]
        elif item.name == "extra":
            value = {k: _trimmed(v) for k, v in value.items()}
        out[item.name] = value
    return out


def _only_inserted(before: bytes, after: bytes) -> bool:
    """`after` is `before` with one run of new lines (a last line may gain its ending)."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    same = 0
    while same < min(len(a), len(b)) and a[same] == b[same]:
        same += 1
    if same == len(a) - 1 and same < len(b) and b[same].rstrip(b"\r\n") == a[same]:
        same += 1  # the old last line, which had no line ending
    added = len(b) - len(a)
    return added > 0 and b[same + added:] == a[same:]


def _check_values(before: bytes, after: bytes, changes: dict[str, object]) -> None:
    """Refuse unless the front matter of `after` reads as that of `before`
    with exactly `changes` applied, and holds the same comments."""
    from hotfix_gates.editing.comments import same_comments

    old_doc, new_doc = Doc.parse(before), Doc.parse(after)
    differ = same_comments("\n".join(old_doc.lines[1:old_doc.close]),
                           "\n".join(new_doc.lines[1:new_doc.close]))
    if differ:
        raise EditError(f"the edit would not keep the comment {differ[0].lstrip('+')!r:.60}; "
                        "edit the file by hand (nothing was written)")
    old_raw, new_raw = front_matter_values(before), front_matter_values(after)
    wanted = {**old_raw, **changes}
    if new_raw.keys() != wanted.keys() or not all(_same(new_raw[k], wanted[k]) for k in wanted):
        changed = sorted(k for k in wanted.keys() | new_raw.keys()
                         if not _same(new_raw.get(k), wanted.get(k)))
        raise EditError(f"the edit would not read back as intended (keys {', '.join(changed)}); "
                        "nothing was written")


def verify_front_matter(before: bytes, after: bytes, changes: dict[str, object]) -> None:
    """For a file that is not hotfix.md (post-mortem.md): exactly `changes`
    in the front matter, and the body byte for byte."""
    _check_values(before, after, changes)
    if _body(before) != _body(after):
        raise EditError("the edit would change the body of the file; nothing was written")


def _body(data: bytes) -> bytes:
    doc = Doc.parse(data)
    return Doc(doc.prefix, doc.lines[doc.close + 1:], doc.ends[doc.close + 1:],
                doc.newline, 0).render()


def verify(before: bytes, after: bytes, changes: dict[str, object]) -> None:
    """Refuse unless `after` reads as `before` with exactly `changes` applied
    to the front matter and the body unchanged, or, when `changes` is empty,
    as `before` with lines added to the body and nothing else."""
    _check_values(before, after, changes)
    old_record, _ = parse_hotfix("hotfix.md", "", before)
    new_record, findings = parse_hotfix("hotfix.md", "", after)
    errors = [f for f in findings if f.code == RECORD_CODE and f.level is Level.ERROR]
    if errors or new_record.invalid:
        why = errors[0].message if errors else "a key is invalid"
        raise EditError(f"the edited record would not be valid ({why}); nothing was written")
    old_view, new_view = _snapshot(old_record), _snapshot(new_record)
    for name in changes:
        old_view.pop(name, None)
        new_view.pop(name, None)
        for view in (old_view, new_view):
            extra = view.get("extra")
            if isinstance(extra, dict):
                view["extra"] = {k: v for k, v in extra.items() if k not in changes}
    if changes:
        if old_record.body != new_record.body:
            raise EditError("the edit would change the body of hotfix.md; nothing was written")
    else:
        if not _only_inserted(before, after):
            raise EditError("the edit would change the body beyond the added lines; "
                            "nothing was written")
        old_view.pop("body", None)
        new_view.pop("body", None)
    if old_view != new_view:
        changed = sorted(k for k in old_view if old_view[k] != new_view.get(k))
        raise EditError(f"the edit would also change {', '.join(changed)}; nothing was written")
