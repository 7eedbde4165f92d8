"""`hotfix-gate gates`: the gates, their codes and when each applies."""

from __future__ import annotations

from hotfix_gates.gates.builtin import GATES
from hotfix_gates.model.errors import EXIT_OK


def list_gates() -> int:
    for unit in GATES:
        print(f"{unit.code}  {unit.name:<20} {unit.level.value:<5}  applies: {unit.applies}; "
              f"passes when {unit.passes}")
    return EXIT_OK
