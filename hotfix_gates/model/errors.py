"""The one exception type the shells turn into `hotfix-gate: error: ...` and exit 2."""


class ToolError(Exception):
    """The tool could not do its job; the message is one line naming the fix."""


EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_TOOL_ERROR = 2
