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
    gate_code,
)
from hotfix_gates.model.errors import ConfigError, TimeError, TreeError
from hotfix_gates.model.finding import Level
from hotfix_gates.model.timeutil import parse_duration
from hotfix_gates.model.tree import TreeView, normalize, read_text

_KNOWN_KEYS = ("specs_dir", "protected_branches", "deadlines", "gates", "targets")
# A deadline may also be named by the gate it times.
_DEADLINE_OF = {"HG201": "post-mortem", "HG202": "regression-test", "HG204": "resolution"}




def parse_config(text: str, source: str = CONFIG_FILE) -> Config:
    """Validate the YAML of a configuration file; ConfigError on anything wrong."""
    from hotfix_gates.parsing.yamlread import YamlProblem, load_mapping

    try:
        mapping = load_mapping(text)
    except YamlProblem as problem:
        raise ConfigError(f"{source}:{problem.line}: {problem.message}") from None
    values, lines = mapping.values, mapping.lines

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{source}:{lines.get(key, 1)}: {message}")

    for key in values:
        if key not in _KNOWN_KEYS:
            raise fail(key, f"unknown key {key!r}; known keys: {', '.join(_KNOWN_KEYS)}")

    specs_dir = values.get("specs_dir", DEFAULT_SPECS_DIR)
    if not isinstance(specs_dir, str) or not specs_dir.strip():
        raise fail("specs_dir", "specs_dir must be a folder path like specs/hotfix")
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

    deadlines = dict(DEFAULT_DEADLINES)
    raw_deadlines = values.get("deadlines", {}) or {}
    if not isinstance(raw_deadlines, dict):
        raise fail("deadlines", "deadlines must be a mapping like {post-mortem: 48h}")
    for key, value in raw_deadlines.items():
        name = _DEADLINE_OF.get(gate_code(str(key)) or "", str(key))
        if name not in DEFAULT_DEADLINES:
            raise fail("deadlines", f"unknown deadline {key!r}; use "
                                    f"{', '.join(DEFAULT_DEADLINES)}")
        deadlines[name] = _duration(value, "deadlines", fail)

    targets = dict(DEFAULT_TARGETS)
    raw_targets = values.get("targets", {}) or {}
    if not isinstance(raw_targets, dict):
        raise fail("targets", "targets must be a mapping like {P0: 1h, P1: 4h, P2: 8h}")
    for key, value in raw_targets.items():
        if str(key).upper() not in DEFAULT_TARGETS:
            raise fail("targets", f"unknown severity {key!r} in targets; use P0, P1 or P2")
        targets[str(key).upper()] = _duration(value, "targets", fail)

    levels: dict[str, Level] = {}
    not_waivable: set[str] = set()
    raw_gates = values.get("gates", {}) or {}
    if not isinstance(raw_gates, dict):
        raise fail("gates", "gates must be a mapping like {quick-review: warn}")
    for key, value in raw_gates.items():
        code = gate_code(str(key))
        if code is None:
            raise fail("gates", f"unknown gate {key!r}; see `hotfix-gate gates` for the list")
        setting = value if isinstance(value, dict) else {"level": value}
        for sub in setting:
            if sub not in ("level", "waivable"):
                raise fail("gates",
                           f"unknown setting {sub!r} for gate {key}; use level or waivable")
        if "level" in setting:
            # YAML 1.1 reads a bare `off` as false; that is what the user meant.
            raw_level = "off" if setting["level"] is False else setting["level"]
            try:
                levels[code] = Level(str(raw_level).lower())
            except ValueError:
                raise fail("gates", f"gate {key}: level must be error, warn or off, "
                                    f"not {setting['level']!r}") from None
        if "waivable" in setting:
            if not isinstance(setting["waivable"], bool):
                raise fail("gates", f"gate {key}: waivable must be true or false")
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


def _duration(value: object, key: str, fail: Callable[[str, str], ConfigError]) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(key, f"bad duration {value!r}; write it like 48h, 2d or 90m")
    if isinstance(value, (int, float)):
        raise fail(key, f"duration {value!r} has no unit; write {value}h or {value}m")
    try:
        return parse_duration(value)
    except TimeError as exc:
        raise fail(key, str(exc)) from None


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
        raise ConfigError(f"{source}: {exc}") from None
    return parse_config(text, source)
