"""The one way every hook fails: one line and exit 2, never a traceback.

Standard library only: commit-msg imports it on its fast path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from hotfix_gates.model.constants import DEBUG_ENV
from hotfix_gates.model.errors import EXIT_TOOL_ERROR, ToolError

TYPE_CHECKING = False  # `typing` costs the commit-msg fast path a few milliseconds
if TYPE_CHECKING:
    from typing import NoReturn


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


def finish(code: int) -> NoReturn:
    """End the hook's process with `code`, skipping the interpreter's teardown.

    Python's own exit frees every object one at a time: after judging a
    thousand records that took 10-25 ms, a sixth of the whole hook. Nothing is
    left for it to do: the parse cache was already replaced whole, no file is
    open for writing, and the output is flushed here.
    """
    import contextlib  # here: a deletion's quick path loads nothing it does not use

    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the descriptor closed: nothing to flush
            continue
        # a reader that went away: the exit code still counts
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
