"""`hotfix-gate`: the command line, and the only module that knows click.

Each command's arguments and options are declared here; its work is a plain
function in `hotfix_gates.commands`, imported only when that command runs,
so `hotfix-gate check` does not pay for `new`. Every refusal, wherever it is
raised, becomes one line `hotfix-gate: error: ...` and exit 2 in `main`.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from hotfix_gates import __version__
from hotfix_gates.model.constants import DEBUG_ENV
from hotfix_gates.model.errors import EXIT_TOOL_ERROR, ToolError

F = TypeVar("F", bound=Callable[..., Any])

CHECK_FORMATS = ("text", "json", "github", "sarif", "codeclimate", "junit")
STATUS_FORMATS = ("text", "json")
REPORT_FORMATS = ("text", "json", "csv", "markdown", "html", "png", "svg")
HOOKS = ("pre-push", "commit-msg", "pre-receive")


def run(target: str, **arguments: Any) -> int:
    """Call `module:function` of hotfix_gates.commands with the parsed arguments."""
    module_name, _, function = target.partition(":")
    module = importlib.import_module(f"hotfix_gates.commands.{module_name}")
    result: int = getattr(module, function)(**arguments)
    return result


# --- options shared by several commands --------------------------------------------

def _chdir(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        from hotfix_gates.editing.commit import remember_start

        remember_start(os.getcwd())
        try:
            os.chdir(value)
        except OSError as exc:
            raise ToolError(f"-C {value}: {exc.strerror}") from None


def directory_option(func: F) -> F:
    """`-C PATH`, accepted before or after the command name (like git -C)."""
    return click.option("-C", "directory", metavar="PATH", expose_value=False,
                        callback=_chdir, is_eager=True, type=click.Path(file_okay=False),
                        help="Run as if started in PATH (like git -C).")(func)


def id_option(func: F) -> F:
    return click.option(
        "--id", "record_id", metavar="ID",
        help="The record: hotfix-007, 007 or 7 (default: the hotfix/NNN-* branch checked "
             "out, else $SPECIFY_HOTFIX).")(func)


def at_option(func: F) -> F:
    return click.option(
        "--at", "at", metavar="TIMESTAMP",
        help="The time to record, ISO 8601 (a time without a zone is UTC; default: "
             "$HOTFIX_GATE_NOW, else now).")(func)


def now_option(func: F) -> F:
    return click.option(
        "--now", "now_text", metavar="TIMESTAMP",
        help="Judge deadlines as of this time (default: $HOTFIX_GATE_NOW, else now).")(func)


def config_option(func: F) -> F:
    return click.option(
        "--config", "config_path", metavar="PATH",
        help="Read the configuration from PATH instead of .hotfix-gates.yaml: a path in the "
             "repository, read from the same tree (with --base, the base's tree, so a change "
             "under review cannot weaken it). It must exist.")(func)


def rev_option(func: F) -> F:
    return click.option("--rev", metavar="REV", help="Read the records in this commit "
                        "instead of the working tree.")(func)


def commit_option(func: F) -> F:
    return click.option(
        "--commit", is_flag=True,
        help="Commit the record files this changes (only them: whatever else is staged "
             "stays out). Without it, the git command that does is printed.")(func)


def lifecycle(func: F) -> F:
    """The options every record-editing command takes."""
    return directory_option(id_option(at_option(commit_option(func))))


# --- the group ---------------------------------------------------------------------

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hotfix-gate")
@directory_option
def cli() -> None:
    """Quality gates for emergency hotfixes: scaffold a record, then let the
    hooks block merges until severity, rollback plan, post-mortem and
    regression test are in place."""


@cli.command("new")
@click.argument("description", nargs=-1, required=True)
@click.option("--severity", metavar="P0|P1|P2",
              help="P0 outage, P1 major, P2 minor (default: not assessed yet).")
@click.option("--at", "at", metavar="TIMESTAMP",
              help="When the incident began, ISO 8601 (a time without a zone is UTC; "
                   "default: $HOTFIX_GATE_NOW, else now).")
@click.option("--no-branch", is_flag=True, help="Write the record only; do not create or "
              "switch to the hotfix/NNN-slug branch.")
@click.option("--anyway", is_flag=True, help="Open a second record although one for the same "
              "incident (the same slug) is still open.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object for scripts.")
@click.option("--shell", "as_shell", is_flag=True,
              help='Print export lines for `eval "$(hotfix-gate new --shell ...)"`.')
@commit_option
@directory_option
def new_command(description: tuple[str, ...], **options: Any) -> int:
    """Open an emergency hotfix: the record folder specs/hotfix/NNN-slug/
    (hotfix.md, post-mortem.md, plan.md, tasks.md, POST_MORTEM_REMINDER.txt)
    and the branch hotfix/NNN-slug, switched to with uncommitted work kept.
    With --commit, the record is committed on that branch."""
    return run("new:new", description=" ".join(description), **options)


@cli.command("check")
@click.option("--rev", metavar="REV", help="Judge the tree of this commit (no checkout) "
              "instead of the working tree.")
@click.option("--base", metavar="REF", help="CI mode: judge what merging REV (default HEAD) "
              "into REF would bring, with the configuration read from REF's tree. Reads "
              "trees, not history: a shallow clone is enough.")
@click.option("--branch", metavar="NAME", help="Judge as a push to branch NAME, as the hooks "
              "do: a protected branch judges every record, hotfix/NNN-* only that record's "
              "hotfix-push gates, any other branch nothing.")
@click.option("--id", "record_id", metavar="ID", help="Judge only this record (hotfix-007, "
              "007 or 7), exactly as a full check judges it.")
@click.option("--current", is_flag=True, help="Judge only the hotfix in progress: the "
              "hotfix/NNN-* branch checked out, else $SPECIFY_HOTFIX. With neither, nothing "
              "is judged (exit 0).")
@click.option("--from-pre-commit", "from_pre_commit", is_flag=True, help="As the "
              "hotfix-gate-check hook of pre-commit: --base and --rev from pre-commit's "
              "--from-ref and --to-ref; in CI ($CI set) without them, exit 2 rather than "
              "judge with the change's own configuration.")
@config_option
@now_option
@click.option("--format", "fmt", type=click.Choice(CHECK_FORMATS), default="text",
              show_default=True, help="text for people; json for scripts; github for workflow "
              "annotations; sarif (2.1.0) for code scanning; codeclimate for GitLab Code "
              "Quality; junit for test reports.")
@directory_option
def check_command(**options: Any) -> int:
    """Run every gate over every record (or one: --id, --current): the merge
    gates, and each post-incident gate whose deadline has passed. Exit 1 when
    one blocks."""
    return run("check:check", **options)


@cli.group("ci")
@directory_option
def ci_group() -> None:
    """`check --base` as a pull or merge request job: fetch the target
    branch, judge HEAD with its configuration, report where the platform
    shows it. Exit 1 when a gate blocks."""


@ci_group.command("github")
@click.option("--base", metavar="BRANCH", help="The branch the pull request merges into "
              "(default: $GITHUB_BASE_REF).")
@click.option("--sarif", metavar="FILE", help="Also write the findings as SARIF to FILE, "
              "for github/codeql-action/upload-sarif (code scanning).")
@config_option
@now_option
@directory_option
def ci_github_command(**options: Any) -> int:
    """Annotate the findings, write a table of them to $GITHUB_STEP_SUMMARY,
    and set the step outputs verdict, blocking, warnings and waived in
    $GITHUB_OUTPUT (verdict=error when the job could not be done)."""
    return run("ci:github", **options)


@ci_group.command("gitlab")
@click.option("--base", metavar="BRANCH", help="The branch the merge request merges into "
              "(default: $CI_MERGE_REQUEST_TARGET_BRANCH_NAME).")
@click.option("--codequality", metavar="FILE", default="gl-code-quality-report.json",
              show_default=True, help="Where to write the Code Quality report.")
@click.option("--junit", metavar="FILE", default="hotfix-gates-junit.xml", show_default=True,
              help="Where to write the JUnit report.")
@config_option
@now_option
@directory_option
def ci_gitlab_command(**options: Any) -> int:
    """Print the findings, and write the Code Quality and JUnit reports that
    `artifacts:reports` hands to the merge request."""
    return run("ci:gitlab", **options)


@cli.command("gates")
@directory_option
def gates_command() -> int:
    """List the gates as the configuration sets them: code, name, level, when
    each applies and when it passes."""
    return run("gates:list_gates")


@cli.command("status")
@click.option("--overdue", "overdue_only", is_flag=True,
              help="Show only the records with an overdue gate or an invalid record (HG001); "
              "exit 1 when there is one.")
@click.option("--format", "fmt", type=click.Choice(STATUS_FORMATS), default="text",
              show_default=True, help="text: a table for people (100 columns); json: one "
              "object per record, for scripts.")
@now_option
@rev_option
@directory_option
def status_command(**options: Any) -> int:
    """Every incident at a glance: severity, status, age, the next deadline
    and how far off (or overdue) it is, then its title, then the post-mortem
    and regression-test state, waivers, and time since the last timeline
    update."""
    return run("status:status", **options)


@cli.command("report")
@click.argument("repositories", nargs=-1, metavar="[REPOSITORY]...")
@click.option("--repos-from", metavar="FILE", help="Also report the repositories listed in "
              "FILE, one path per line (- reads standard input; blank lines and # comments "
              "are skipped).")
@click.option("--since", metavar="DATE", help="Only incidents that started at or after DATE "
              "(2025-10-01 or a full timestamp).")
@click.option("--until", metavar="DATE", help="Only incidents that started before DATE.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text",
              show_default=True, help="html: a page with charts; png, svg: the MTTR chart "
              "(html, png and svg need matplotlib: the report extra).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of standard "
              "output (needed for png on a terminal).")
@now_option
@rev_option
@directory_option
def report_command(**options: Any) -> int:
    """Per severity: count, MTTR, time to detect and to deploy (mean and
    median minutes), resolutions within target, post-mortems and regression
    tests on time or late, open action items and waivers.

    With REPOSITORY paths (or --repos-from), one report over all of them,
    with a row per repository; one that cannot be read is named and skipped.
    Without, the current repository."""
    return run("report:report", **options)


# --- the record's life ---------------------------------------------------------------

@cli.group("set")
@id_option
@commit_option
@directory_option
@click.pass_context
def set_group(ctx: click.Context, record_id: str | None, commit: bool) -> None:
    """Set severity, reviewed-by, rollback-plan or incident-start in the
    record's front matter."""
    ctx.obj = {"record_id": record_id, "commit": commit}


def _from_set(record_id: str | None, commit: bool) -> dict[str, Any]:
    """--id and --commit after the key (`set severity P1 --id 7`), else before
    it (`set --id 7 severity P1`)."""
    ctx = click.get_current_context()
    parent: dict[str, Any] = (ctx.parent.obj if ctx.parent else None) or {}
    return {"record_id": record_id if record_id is not None else parent.get("record_id"),
            "commit": commit or bool(parent.get("commit"))}


@set_group.command("severity")
@click.argument("level", metavar="P0|P1|P2")
@id_option
@commit_option
@directory_option
def set_severity(level: str, record_id: str | None, commit: bool) -> int:
    """Set the severity: P0 (outage), P1 (major), P2 (minor)."""
    return run("set:set_severity", level=level, **_from_set(record_id, commit))


@set_group.command("reviewed-by")
@click.argument("name")
@id_option
@commit_option
@directory_option
def set_reviewed_by(name: str, record_id: str | None, commit: bool) -> int:
    """Record who gave the fix its quick review."""
    return run("set:set_reviewed_by", name=name, **_from_set(record_id, commit))


@set_group.command("rollback-plan")
@click.argument("text", required=False)
@click.option("--file", "file", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the plan from FILE (`-` for stdin) instead of TEXT.")
@id_option
@commit_option
@directory_option
def set_rollback_plan(text: str | None, file: str | None, record_id: str | None,
                      commit: bool) -> int:
    """Say how to undo the fix (several lines are kept as a YAML block)."""
    return run("set:set_rollback_plan", text_given=text, file=file,
               **_from_set(record_id, commit))


@set_group.command("incident-start")
@click.argument("time", metavar="TIMESTAMP")
@id_option
@commit_option
@directory_option
def set_incident_start(time: str, record_id: str | None, commit: bool) -> int:
    """Correct when the incident began (`new` records the moment it ran);
    it stays before the other milestones."""
    return run("set:set_incident_start", time=time, **_from_set(record_id, commit))


@cli.command("detected")
@lifecycle
def detected_command(**options: Any) -> int:
    """Record when the incident was detected (status stays as it is)."""
    return run("milestones:detected", **options)


@cli.command("deployed")
@lifecycle
def deployed_command(**options: Any) -> int:
    """Record when the fix reached production; status becomes fix-deployed."""
    return run("milestones:deployed", **options)


@cli.command("monitoring")
@id_option
@commit_option
@directory_option
def monitoring_command(**options: Any) -> int:
    """The deployed fix is being watched; status becomes monitoring."""
    return run("milestones:monitoring", **options)


@cli.command("resolved")
@lifecycle
def resolved_command(**options: Any) -> int:
    """Record when the incident ended; status becomes resolved. The
    post-mortem and regression-test deadlines count from this time."""
    return run("milestones:resolved", **options)


@cli.command("closed")
@id_option
@commit_option
@directory_option
def closed_command(**options: Any) -> int:
    """Close the record once its follow-up is done: resolved, post-mortem
    complete and a regression test listed (a waived gate counts as done)."""
    return run("milestones:closed", **options)


@cli.command("log")
@click.argument("message")
@lifecycle
def log_command(**options: Any) -> int:
    """Append a timestamped row to the record's `## Timeline` table."""
    return run("log:log", **options)


@cli.command("waive")
@click.argument("gate_id", metavar="GATE")
@click.option("--reason", metavar="TEXT", help="Why the gate is skipped (required).")
@click.option("--until", "until", metavar="TIMESTAMP|DURATION",
              help="When the waiver ends: a time, or a duration after the waiver such as 24h "
                   "(default: it does not expire).")
@lifecycle
def waive_command(**options: Any) -> int:
    """Record an audited waiver of one gate for this record: the gate is
    reported as waived, not blocking, until --until. The honest
    alternative to `git push --no-verify`."""
    return run("waive:waive", **options)


@cli.command("regression-test")
@click.argument("test", metavar="PATH[::NAME]")
@click.option("--remove", is_flag=True, help="Take this test off the list instead (a PATH "
              "that is not itself listed: every PATH::NAME listed in it).")
@click.option("--not-yet", "not_yet", is_flag=True,
              help="List it although it is not in the working tree yet (HG202 counts it once "
                   "it is written and committed).")
@lifecycle
def regression_test_command(**options: Any) -> int:
    """List a regression test that guards the fix (HG202) and date it:
    regression_tests_added_at is set the first time (or to --at). PATH is
    relative to the current folder, like git's; it must exist and define
    NAME."""
    return run("post_incident:regression_test", **options)


@cli.command("post-mortem-complete")
@lifecycle
def post_mortem_complete_command(**options: Any) -> int:
    """Mark the post-mortem complete (HG201): sets status: complete and
    completed_at in post-mortem.md, once every required section is written."""
    return run("post_incident:post_mortem_complete", **options)


@cli.command("migrate")
@click.option("--id", "given_id", metavar="ID", help="The record to migrate (hotfix-007, 007 "
              "or 7); default: the current hotfix/NNN-* branch, else $SPECIFY_HOTFIX.")
@click.option("--all", "every", is_flag=True, help="Migrate every record.")
@click.option("--write", is_flag=True, help="Write the front matter (default: only show it).")
@commit_option
@directory_option
def migrate_command(**options: Any) -> int:
    """Give spec-kit records (Markdown only, no front matter) the front matter
    the gates read, derived from their Markdown, which is kept byte for byte.
    Shows a unified diff; writes only with --write. Records that already have
    front matter are left alone, so running it twice changes nothing. Exit 1
    when a record has lines to fix first (two options checked, a time that
    cannot be read): they are listed, and nothing is guessed."""
    return run("migrate:migrate", **options)


# --- hooks and the rest ----------------------------------------------------------------

@cli.command("install")
@click.option("--hook", "hooks", multiple=True, type=click.Choice(HOOKS),
              help="Hook to install (repeatable). Default: pre-push and commit-msg; "
                   "pre-receive in a bare repository.")
@click.option("--force", is_flag=True,
              help="Replace a hotfix-gates hook written by another install (another Python "
                   "or version). Never replaces anyone else's hook.")
@directory_option
def install_command(**options: Any) -> int:
    """Install the raw git hooks; an existing hook is kept and runs first.
    Where .pre-commit-config.yaml lists the hotfix-gate hooks, pre-commit
    runs the gates: it says so instead of installing them twice."""
    return run("install:install", **options)


@cli.command("uninstall")
@click.option("--hook", "hooks", multiple=True, type=click.Choice(HOOKS),
              help="Hook to remove (repeatable). Default: every hotfix-gates hook.")
@directory_option
def uninstall_command(**options: Any) -> int:
    """Remove the hooks `install` wrote and put back the ones they chained."""
    return run("install:uninstall", **options)


@cli.group("speckit")
@directory_option
def speckit_group() -> None:
    """The spec-kit extension: /speckit.hotfix, and the gates as hooks around
    /speckit.implement."""


@speckit_group.command("install")
@click.option("--no-alias", is_flag=True, help="Leave out the /speckit.hotfix alias (the "
              "commands stay as /speckit.hotfix-gates.*), to sit beside another extension "
              "that provides it, such as the spec-kit workflows extension.")
@click.option("--force", is_flag=True, help="Replace an installed copy (after upgrading "
              "hotfix-gates).")
@directory_option
def speckit_install_command(**options: Any) -> int:
    """Install the extension into the spec-kit project here, with `specify
    extension add --dev`. Without `specify` on PATH, print the line to run
    and exit 2."""
    return run("speckit:install", **options)


@speckit_group.command("path")
@directory_option
def speckit_path_command() -> int:
    """Print the extension's folder, for `specify init --extension PATH` or
    `specify extension add --dev PATH`."""
    return run("speckit:path")


@cli.command("demo")
@click.option("--keep", is_flag=True, help="Keep the throwaway repository and print its path.")
@directory_option
def demo_command(**options: Any) -> int:
    """Two incidents through a throwaway server and clone with the hooks
    installed: each command shown as you could type it, each commit shown."""
    return run("demo:demo", **options)


# --- running -----------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "hotfix_gates.editing.commit" in sys.modules:  # an earlier run in this process
        sys.modules["hotfix_gates.editing.commit"].forget_start()
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
        if os.environ.get(DEBUG_ENV):
            raise
        click.echo(f"hotfix-gate: internal error: {type(exc).__name__}: {exc} "
                   "(set HOTFIX_GATE_DEBUG=1 for details, and please report it)", err=True)
        return EXIT_TOOL_ERROR
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
