"""The one error family: whatever raises one of these, the shells print it as
one line (`hotfix-gate: error: ...`, `hotfix-gate HOOK: error: ...`) and
exit 2. Standard library only: the hooks' fast paths import it."""

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_TOOL_ERROR = 2


class ToolError(Exception):
    """The tool could not do its job; the message is one line naming the fix."""


class ConfigError(ToolError):
    """A configuration that cannot be used: the message names the file and the
    line; `line` and `detail` (the message without the file) are for a
    finding about it."""

    def __init__(self, message: str, line: int = 1, detail: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.detail = detail if detail is not None else message


class TimeError(ToolError, ValueError):
    """A timestamp or duration that cannot be read."""


class TreeError(ToolError):
    """A path in a tree that cannot be read; the message says which and why."""


class EditError(ToolError):
    """An edit of a record that cannot be made safely; nothing was written."""
