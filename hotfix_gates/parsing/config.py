"""`.hotfix-gates.yaml`: validated configuration with the documented defaults."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from hotfix_gates.model.config import Config
from hotfix_gates.model.constants import (
    CONFIG_FILE,
    DEFAULT_DEADLINES,
    DEFAULT_PROTECTED,
    DEFAULT_SPECS_DIR,
    DEFAULT_TARGETS,
    GATE_NAMES,
    gate_code,
)
from hotfix_gates.model.errors import ConfigError, TimeError, TreeError
from hotfix_gates.model.finding import Level
from hotfix_gates.model.timeutil import parse_duration
from hotfix_gates.model.tree import TreeView, normalize, read_text
from hotfix_gates.parsing.lookalike import look_alike, odd, shown

_KNOWN_KEYS = ("specs_dir", "protected_branches", "deadlines", "gates", "targets")
# A deadline may also be named by the gate it times.
_DEADLINE_OF = {"HG201": "post-mortem", "HG202": "regression-test", "HG204": "resolution"}
_DEADLINE_WORDS = (*DEFAULT_DEADLINES, *(GATE_NAMES[code] for code in _DEADLINE_OF),
                   *_DEADLINE_OF)
_GATE_WORDS = (*GATE_NAMES, *GATE_NAMES.values())
_SETTINGS = ("level", "waivable")

Fail = Callable[[int, str], ConfigError]


def parse_config(text: str, source: str = CONFIG_FILE) -> Config:
    """Validate the YAML of a configuration file; ConfigError on anything wrong."""
    from hotfix_gates.parsing.yamlread import YamlProblem, load_mapping

    try:
        mapping = load_mapping(text)
    except YamlProblem as problem:
        raise ConfigError(f"{source}:{problem.line}: {problem.message}", problem.line,
                          problem.message) from None
    values, lines = mapping.values, mapping.lines

    def fail_at(line: int, message: str) -> ConfigError:
        return ConfigError(f"{source}:{line}: {message}", line, message)

    def fail(key: str, message: str) -> ConfigError:
        return fail_at(lines.get(key, 1), message)

    for key in values:
        if key not in _KNOWN_KEYS:
            alike = look_alike(key, _KNOWN_KEYS)
            raise fail(key, alike.text() if alike is not None else
                       f"unknown key {shown(key)}; known keys: {', '.join(_KNOWN_KEYS)}")

    specs_dir = values.get("specs_dir", DEFAULT_SPECS_DIR)
    if not isinstance(specs_dir, str) or not specs_dir.strip():
        raise fail("specs_dir", "specs_dir must be a folder path like specs/hotfix")
    if odd(specs_dir):
        raise fail("specs_dir", f"specs_dir {shown(specs_dir)} holds invisible or look-alike "
                                "characters; write it in plain letters")
    inside_git = any(part.casefold() == ".git" for part in specs_dir.strip().split("/"))
    try:
        specs_dir = "" if inside_git else normalize(specs_dir.strip().rstrip("/"))
    except TreeError as exc:
        raise fail("specs_dir", f"specs_dir: {exc}") from None
    if not specs_dir:
        raise fail("specs_dir", "specs_dir must be a folder inside the repository")

    protected = values.get("protected_branches", list(DEFAULT_PROTECTED))
    if isinstance(protected, str):
        protected = [protected]
    if not isinstance(protected, list) or not all(isinstance(p, str) and p for p in protected):
        raise fail("protected_branches", "protected_branches must be a list of branch globs")
    for index, pattern in enumerate(protected):
        if odd(pattern):
            raise fail_at(_line_of(protected, index, lines.get("protected_branches", 1)),
                          f"branch {shown(pattern)} holds invisible or look-alike characters; "
                          "write it in plain letters")

    deadlines = dict(DEFAULT_DEADLINES)
    for entry, value, line in _entries(values, lines, "deadlines", "{post-mortem: 48h}",
                                       fail_at):
        name = _meaning("deadlines", entry)
        if name not in DEFAULT_DEADLINES:
            raise fail_at(line, _unknown(entry, "deadline", _DEADLINE_WORDS,
                                         f"use {', '.join(DEFAULT_DEADLINES)}"))
        deadlines[name] = _duration(value, line, fail_at)

    targets = dict(DEFAULT_TARGETS)
    for entry, value, line in _entries(values, lines, "targets", "{P0: 1h, P1: 4h, P2: 8h}",
                                       fail_at):
        severity = _meaning("targets", entry)
        if severity not in DEFAULT_TARGETS:
            raise fail_at(line, f"unknown severity {shown(entry)} in targets; use P0, P1 or P2")
        targets[severity] = _duration(value, line, fail_at)

    levels: dict[str, Level] = {}
    not_waivable: set[str] = set()
    for entry, value, line in _entries(values, lines, "gates", "{quick-review: warn}", fail_at):
        code = gate_code(str(entry))
        if code is None:
            raise fail_at(line, _unknown(entry, "gate", _GATE_WORDS,
                                         "see `hotfix-gate gates` for the list"))
        setting = value if isinstance(value, dict) else {"level": value}
        for sub in setting:
            if sub not in _SETTINGS:
                raise fail_at(_line_of(setting, sub, line), _unknown(
                    sub, "setting", _SETTINGS, f"gate {entry} takes level or waivable"))
        if "level" in setting:
            # YAML 1.1 reads a bare `off` as false; that is what the user meant.
            raw_level = "off" if setting["level"] is False else setting["level"]
            try:
                levels[code] = Level(str(raw_level).lower())
            except ValueError:
                raise fail_at(line, f"gate {entry}: level must be error, warn or off, "
                                    f"not {shown(setting['level'])}") from None
        if "waivable" in setting:
            if not isinstance(setting["waivable"], bool):
                raise fail_at(line, f"gate {entry}: waivable must be true or false")
            if not setting["waivable"]:
                not_waivable.add(code)

    return Config(
        specs_dir=specs_dir,
        protected_branches=tuple(protected),
        deadlines=deadlines,
        levels=levels,
        not_waivable=frozenset(not_waivable),
        targets=targets,
        source=source,
    )


def _entries(values: dict[str, object], lines: dict[str, int], key: str, example: str,
             fail: Fail) -> list[tuple[object, object, int]]:
    """The entries of the mapping under `key`, each with its line. Two
    entries that mean the same thing (`post-mortem` and `HG201`, `P0` and
    `p0`) are refused like a key written twice."""
    raw = values.get(key, {}) or {}
    if not isinstance(raw, dict):
        raise fail(lines.get(key, 1), f"{key} must be a mapping like {example}")
    first: dict[str, tuple[object, int]] = {}
    out = []
    for name, value in raw.items():
        line = _line_of(raw, name, lines.get(key, 1))
        meaning = _meaning(key, name)
        if meaning in first:
            other, other_line = first[meaning]
            raise fail(line, f"{key}: {shown(name)} and {shown(other)} (line {other_line}) "
                             "set the same thing; keep one")
        first[meaning] = (name, line)
        out.append((name, value, line))
    return out


def _meaning(section: str, name: object) -> str:
    """What an entry of `deadlines`, `targets` or `gates` names."""
    text = str(name)
    if section == "targets":
        return text.upper()
    code = gate_code(text)
    if section == "deadlines":
        return _DEADLINE_OF.get(code or "", text)
    return code or text


def _unknown(key: object, what: str, known: tuple[str, ...], hint: str) -> str:
    alike = look_alike(key, known) if isinstance(key, str) else None
    if alike is not None:
        return alike.text(what)
    return f"unknown {what} {shown(key)}; {hint}"


def _line_of(container: object, where: object, default: int) -> int:
    """The line of a key of a mapping, or of an item of a list, read from YAML."""
    line_of = getattr(container, "line_of", None)
    return int(line_of(where)) if line_of is not None else default


def _duration(value: object, line: int, fail: Fail) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(line, f"bad duration {shown(value)}; write it like 48h, 2d or 90m")
    if isinstance(value, (int, float)):
        number = str(value)[:40]
        raise fail(line, f"duration {number} has no unit; write {number}h or {number}m")
    try:
        return parse_duration(value)
    except TimeError as exc:
        raise fail(line, str(exc)) from None


def load_config(tree: TreeView, path: str | None = None) -> Config:
    """The configuration in a tree: its `.hotfix-gates.yaml`, else the defaults;
    or the file at `path` in that tree, which must then exist (an explicit
    choice never falls back to the defaults)."""
    if path is None and tree.kind(CONFIG_FILE) is None:
        return Config()
    name = CONFIG_FILE if path is None else path
    source = name if tree.label == "working tree" else f"{name} ({tree.label})"
    try:
        text = read_text(tree, normalize(name), limit=256 * 1024)
    except TreeError as exc:
        raise ConfigError(f"{source}: {exc}", detail=str(exc)) from None
    return parse_config(text, source)
