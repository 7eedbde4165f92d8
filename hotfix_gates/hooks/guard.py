"""The one way every hook fails: one line and exit 2, never a traceback.

Standard library only: commit-msg imports it on its fast path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from hotfix_gates.model.constants import DEBUG_ENV
from hotfix_gates.model.errors import EXIT_TOOL_ERROR, ToolError


def guarded(hook: str, body: Callable[[], int]) -> int:
    """Run a hook body; a ToolError (or anything unexpected) becomes one line
    `hotfix-gate HOOK: error: ...` on stderr and exit 2."""
    try:
        return body()
    except ToolError as exc:
        print(f"hotfix-gate {hook}: error: {exc}", file=sys.stderr)
        return EXIT_TOOL_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        print(f"hotfix-gate {hook}: internal error: {type(exc).__name__}: {exc} "
              "(set HOTFIX_GATE_DEBUG=1 for details, and please report it)", file=sys.stderr)
        return EXIT_TOOL_ERROR
