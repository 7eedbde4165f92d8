"""`hotfix-gate`: the command line. Each command lives in its own module and
is imported only when it runs, so `hotfix-gate check` does not pay for `new`."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

import click

from hotfix_gates import __version__
from hotfix_gates.model.errors import EXIT_TOOL_ERROR, ToolError

# command name -> "module:attribute" of a click.Command
COMMANDS: dict[str, str] = {
    "new": "hotfix_gates.commands.new:new_command",
    "check": "hotfix_gates.commands.check:check_command",
    "gates": "hotfix_gates.commands.check:gates_command",
    "install": "hotfix_gates.commands.install:install_command",
    "uninstall": "hotfix_gates.commands.install:uninstall_command",
    "set": "hotfix_gates.commands.lifecycle:set_command",
    "detected": "hotfix_gates.commands.lifecycle:detected_command",
    "deployed": "hotfix_gates.commands.lifecycle:deployed_command",
    "resolved": "hotfix_gates.commands.lifecycle:resolved_command",
    "log": "hotfix_gates.commands.lifecycle:log_command",
    "waive": "hotfix_gates.commands.lifecycle:waive_command",
    "regression-test": "hotfix_gates.commands.lifecycle:regression_test_command",
    "post-mortem-complete": "hotfix_gates.commands.lifecycle:post_mortem_complete_command",
    "status": "hotfix_gates.commands.status:status_command",
    "report": "hotfix_gates.commands.report:report_command",
    "migrate": "hotfix_gates.commands.migrate:migrate_command",
    "demo": "hotfix_gates.commands.demo:demo_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._load(name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None  # a command not built yet stays out of the list
            raise
        command: click.Command = getattr(module, attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hotfix-gate")
@click.option("-C", "directory", metavar="PATH", type=click.Path(file_okay=False),
              help="Run as if started in PATH (like git -C).")
def cli(directory: str | None) -> None:
    """Quality gates for emergency hotfixes: scaffold a record, then let the
    hooks block merges until severity, rollback plan, post-mortem and
    regression test are in place."""
    if directory:
        try:
            os.chdir(directory)
        except OSError as exc:
            raise ToolError(f"-C {directory}: {exc.strerror}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name="hotfix-gate", standalone_mode=False)
    except ToolError as exc:
        click.echo(f"hotfix-gate: error: {exc}", err=True)
        return EXIT_TOOL_ERROR
    except click.exceptions.Abort:
        click.echo("hotfix-gate: aborted", err=True)
        return EXIT_TOOL_ERROR
    except click.ClickException as exc:
        # One line, like every other refusal (click would print usage and a blank line).
        message = " ".join(exc.format_message().split())
        ctx = getattr(exc, "ctx", None)
        if isinstance(exc, click.UsageError):
            message += f" (see `{ctx.command_path if ctx else 'hotfix-gate'} --help`)"
        click.echo(f"hotfix-gate: error: {message}", err=True)
        return EXIT_TOOL_ERROR
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("hotfix-gate: interrupted", err=True)
        return 130
    except Exception as exc:
        if os.environ.get("HOTFIX_GATE_DEBUG"):
            raise
        click.echo(f"hotfix-gate: internal error: {type(exc).__name__}: {exc} "
                   "(set HOTFIX_GATE_DEBUG=1 for details, and please report it)", err=True)
        return EXIT_TOOL_ERROR
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
