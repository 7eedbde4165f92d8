"""A safe, line-aware YAML reader for front matter and configuration.

Documents are composed (never constructed by PyYAML), then turned into plain
values here: only the standard scalar tags, mappings and sequences are
accepted. Object-constructing tags, aliases, duplicate keys and runaway
nesting are refused with the line they are on.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
MAX_DEPTH = 32
_EXTRA_BREAKS = re.compile("[\r\x85\u2028\u2029]")


class YamlProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


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
        raise YamlProblem(line, f"invalid YAML: {problem}") from None
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
        return Mapping({}, {})
    if not isinstance(node, yaml.MappingNode):
        raise YamlProblem(first_line, "expected a mapping of `key: value` lines")
    seen: set[int] = set()
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = line_of(key_node.start_mark)
        key = _convert(key_node, line_of, seen, 1)
        if not isinstance(key, str):
            raise YamlProblem(line, f"key {key!r} is not a string")
        if key in values:
            raise YamlProblem(line, f"key {key!r} is written twice (first on line {lines[key]})")
        values[key] = _convert(value_node, line_of, seen, 1)
        lines[key] = line
    return Mapping(values, lines)


def _convert(node: yaml.Node, line_of: Callable[[Any], int], seen: set[int],
             depth: int) -> object:
    line = line_of(node.start_mark)
    if id(node) in seen:
        raise YamlProblem(line, "YAML aliases (*name) are not allowed here")
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise YamlProblem(line, f"YAML is nested deeper than {MAX_DEPTH} levels")
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALAR_TAGS:
            raise YamlProblem(line, f"YAML tag {node.tag!r:.80} is not allowed")
        if node.tag == "tag:yaml.org,2002:str":
            return str(node.value)
        try:
            return _CONSTRUCTOR.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            return str(node.value)
        finally:
            # The shared constructor memoises every node; forget them, or a
            # run over thousands of records keeps every document alive.
            _CONSTRUCTOR.constructed_objects.clear()
            _CONSTRUCTOR.recursive_objects.clear()
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ_TAG:
            raise YamlProblem(line, f"YAML tag {node.tag!r:.80} is not allowed")
        return [_convert(item, line_of, seen, depth + 1) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP_TAG:
            raise YamlProblem(line, f"YAML tag {node.tag!r:.80} is not allowed")
        out: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, line_of, seen, depth + 1)
            if isinstance(key, (list, dict)):
                raise YamlProblem(line, "mapping keys must be plain values")
            out[key] = _convert(value_node, line_of, seen, depth + 1)
        return out
    raise YamlProblem(line, "unsupported YAML node")
