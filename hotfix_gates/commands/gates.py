"""`hotfix-gate gates`: the gates as the configuration in force sets them."""

from __future__ import annotations

import textwrap

from hotfix_gates.gates.builtin import GATES
from hotfix_gates.gates.policy import level_of
from hotfix_gates.model.config import Config
from hotfix_gates.model.errors import EXIT_OK, ToolError

INDENT = " " * 7
WIDTH = 100


def list_gates() -> int:
    config, source = _config()
    print(f"gates as {source} sets them:" if source else "gates with the default configuration:")
    for gate in GATES:
        level = level_of(gate, config).value
        waivable = gate.waivable and gate.code not in config.not_waivable
        note = "" if waivable else " (not waivable)"
        print(f"{gate.code}  {gate.name:<20} {level:<5}{note}".rstrip())
        for words in (f"applies: {gate.applies(config)}", f"passes when {gate.passes}"):
            print(textwrap.fill(words, WIDTH, initial_indent=INDENT, subsequent_indent=INDENT))
    return EXIT_OK


def _config() -> tuple[Config, str]:
    """The working tree's configuration, or the defaults outside a repository."""
    from hotfix_gates.git.repository import open_repo, work_tree
    from hotfix_gates.parsing.config import load_config

    try:
        tree = work_tree(open_repo())
    except ToolError:
        return Config(), ""
    config = load_config(tree)
    return config, config.source if config.source != "defaults" else ""
