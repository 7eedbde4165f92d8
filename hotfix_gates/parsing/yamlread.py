"""A safe, line-aware YAML reader for front matter and configuration.

Documents are composed (never constructed by PyYAML), then turned into plain
values here: only the standard scalar tags, mappings and sequences are
accepted. Object-constructing tags, aliases, duplicate keys (at any depth)
and runaway nesting are refused with the line they are on. An explicit
scalar tag must agree with its text (`!!bool p0` is refused, not guessed).
Mappings and lists come back as YamlMap and YamlList, which also say which
line each key or item is on.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import yaml

from hotfix_gates.parsing.lookalike import shown

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_RESOLVER = yaml.resolver.Resolver()
_YAML_TAG = "tag:yaml.org,2002:"
_STR_TAG = _YAML_TAG + "str"
_VALUE_TAG = _YAML_TAG + "value"  # PyYAML's tag for a plain `=`: text to us
# Tags whose scalars become numbers, booleans, null or timestamps.
_TYPED_TAGS = {_YAML_TAG + name for name in ("null", "bool", "int", "float", "timestamp")}
_SEQ_TAG = _YAML_TAG + "seq"
_MAP_TAG = _YAML_TAG + "map"
_MERGE_TAG = _YAML_TAG + "merge"
MAX_DEPTH = 32
_EXTRA_BREAKS = re.compile("[\r\x85\u2028\u2029]")


class YamlProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class YamlMap(dict[object, object]):
    """A mapping read from YAML: `line` is where it starts, `key_lines` the
    line of each key."""

    __slots__ = ("key_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[object, int] = {}

    def line_of(self, key: object) -> int:
        return self.key_lines.get(key, self.line)


class YamlList(list[object]):
    """A list read from YAML: `line` is where it starts, `item_lines` the
    line of each item."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


@dataclass(frozen=True, slots=True)
class Mapping:
    """A top-level mapping with the line each key is on."""

    values: dict[str, object]
    lines: dict[str, int]


def _check_flow_depth(text: str, first_line: int) -> None:
    # The C composer recurses per nesting level; refuse absurd depth before
    # it. Tokens, not characters, so brackets in quoted or plain text and in
    # comments do not count; the scanner itself does not recurse.
    if text.count("[") + text.count("{") < MAX_DEPTH:
        return
    opening = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
    closing = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
    depth = 0
    line_of = _line_counter(text, first_line)
    try:
        for token in yaml.scan(text, Loader=_LOADER):
            if isinstance(token, opening):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(line_of(token.start_mark),
                                      f"YAML is nested deeper than {MAX_DEPTH} levels")
            elif isinstance(token, closing):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem) and exc.problem_mark is not None:
            raise YamlProblem(line_of(exc.problem_mark),
                              f"YAML is nested deeper than {MAX_DEPTH} levels") from None
        return  # the composer meets the same error no deeper than the scan got, and says it
    except yaml.YAMLError:
        return


def _line_counter(text: str, first_line: int) -> Callable[[Any], int]:
    """Mark -> file line. YAML also breaks lines at CR, NEL, LS and PS, which
    the file's own line numbers (and the editor's) do not count."""
    if not _EXTRA_BREAKS.search(text):
        return lambda mark: first_line + int(mark.line)
    newlines = [index for index, char in enumerate(text) if char == "\n"]
    return lambda mark: first_line + bisect.bisect_left(newlines, mark.index)


def load_mapping(text: str, first_line: int = 1) -> Mapping:
    """Parse `text` (whose first line is `first_line` of its file) as a mapping."""
    _check_flow_depth(text, first_line)
    line_of = _line_counter(text, first_line)
    try:
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        last = first_line + text.count("\n")
        if mark is not None and exc.context_mark is not None and line_of(mark) >= last:
            mark = exc.context_mark  # an error at the end of input: point where it began
        line = line_of(mark) if mark is not None else first_line
        problem = " ".join((exc.problem or exc.context or "invalid YAML").split())
        raise YamlProblem(line, f"invalid YAML: {problem}{_hint(problem)}") from None
    except yaml.reader.ReaderError as exc:
        # A control character: one line, pointing at the line it is on.
        line = first_line + text.count("\n", 0, max(exc.position, 0))
        raise YamlProblem(line, f"invalid YAML: {exc.reason} (character #x{exc.character:04x})"
                          if isinstance(exc.character, int) else f"invalid YAML: {exc.reason}"
                          ) from None
    except yaml.YAMLError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        raise YamlProblem(first_line, f"invalid YAML: {problem}") from None
    except RecursionError:
        raise YamlProblem(first_line, "YAML is nested too deeply") from None
    except UnicodeError as exc:  # lone surrogates from a caller that decoded loosely
        line = first_line + text.count("\n", 0, getattr(exc, "start", 0))
        raise YamlProblem(line, "invalid YAML: the text is not valid Unicode") from None
    if node is None:
        return Mapping(cast(dict[str, object], YamlMap(first_line)), {})
    if not isinstance(node, yaml.MappingNode):
        raise YamlProblem(first_line, "expected a mapping of `key: value` lines")
    converted = _convert(node, line_of, set(), 0)
    assert isinstance(converted, YamlMap)
    for key, line in converted.key_lines.items():
        if not isinstance(key, str):
            raise YamlProblem(line, f"key {shown(key, quote=False)} is not a string; "
                                    "write the key as a word")
    lines = {str(key): line for key, line in converted.key_lines.items()}
    # Every key is text (checked above): the mapping is a dict of str.
    return Mapping(cast(dict[str, object], converted), lines)


def _convert(node: yaml.Node, line_of: Callable[[Any], int], seen: set[int],
             depth: int) -> object:
    line = line_of(node.start_mark)
    if id(node) in seen:
        raise YamlProblem(line, "YAML aliases (*name) are not allowed here")
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise YamlProblem(line, f"YAML is nested deeper than {MAX_DEPTH} levels")
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, line)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            raise YamlProblem(line, f"YAML tag {tag_name(node.tag)} is not allowed on a list; "
                                    "remove it")
        items = YamlList(line)
        for item in node.value:
            items.item_lines.append(line_of(item.start_mark))
            items.append(_convert(item, line_of, seen, depth + 1))
        return items
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP_TAG:
            raise YamlProblem(line, f"YAML tag {tag_name(node.tag)} is not allowed on a "
                                    "mapping; remove it")
        out = YamlMap(line)
        for key_node, value_node in node.value:
            key_line = line_of(key_node.start_mark)
            key = _convert(key_node, line_of, seen, depth + 1)
            if isinstance(key, (list, dict)):
                raise YamlProblem(key_line, "mapping keys must be plain values")
            if key in out:
                raise YamlProblem(key_line, f"key {shown(key)} is written twice (first on line "
                                            f"{out.key_lines[key]}); keep one")
            out.key_lines[key] = key_line
            out[key] = _convert(value_node, line_of, seen, depth + 1)
        return out
    raise YamlProblem(line, "unsupported YAML node")


def _scalar(node: yaml.ScalarNode, line: int) -> object:
    tag = node.tag
    if tag == _STR_TAG:
        return str(node.value)
    if tag == _MERGE_TAG:
        raise YamlProblem(line, "YAML merge keys (<<) are not allowed; write the keys out")
    if tag != _VALUE_TAG and tag not in _TYPED_TAGS:
        raise YamlProblem(line, f"YAML tag {tag_name(tag)} is not allowed; remove it")
    # The tag PyYAML gives the bare text. A typed tag written by hand must
    # agree with it: `!!bool p0` or `!!null 2025-10-01` mean nothing we can
    # trust, and PyYAML's constructors fail on them in ways of their own.
    implicit = _RESOLVER.resolve(yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
    if implicit != tag:
        raise YamlProblem(line, f"{shown(node.value)} is not a {tag_name(tag)} value; "
                                f"remove the tag")
    if tag == _VALUE_TAG:
        return str(node.value)
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    except Exception:  # noqa: BLE001 - out-of-range numbers and dates stay text
        return str(node.value)  # the reader of the key says what is wrong with it
    finally:
        # The shared constructor memoises every node; forget them, or a
        # run over thousands of records keeps every document alive.
        _CONSTRUCTOR.constructed_objects.clear()
        _CONSTRUCTOR.recursive_objects.clear()


def tag_name(tag: str | None) -> str:
    """`!!bool` for YAML's own tags, `!name` for local ones, else `!<tag>`."""
    text = str(tag)
    if text.startswith(_YAML_TAG):
        text = "!!" + text[len(_YAML_TAG):]
    elif not text.startswith("!"):
        text = f"!<{text}>"
    return shown(text, quote=False)


def _hint(problem: str) -> str:
    """What the usual slips look like, in words a tired person can act on."""
    if "mapping values are not allowed" in problem:
        return " (a value holding ': ' must be quoted: title: \"Checkout: 503s\")"
    if "found character '\\t'" in problem or "found character '\t'" in problem:
        return " (indent with spaces, not tabs)"
    if "could not find expected ':'" in problem:
        return " (each line is `key: value`)"
    return ""
