"""The gates, each a small class declaring when it applies, listed in one place (GATES).

A gate's `check` looks at one subject (a record with what lies beside it)
and yields findings. Whether it applies now (the moment, the clock, the
configured level) is the engine's business, read from the declaration.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta

from hotfix_gates.gates import consistency, rules, target
from hotfix_gates.gates.registry import START_WORDS, Clock, Gate, Moment, Scope
from hotfix_gates.gates.subject import Run, Subject
from hotfix_gates.model.constants import (
    ACCEPT_RULES_CONFIG,
    DONE_STATUSES,
    ENV_ACCEPT_RULES,
    id_number,
)
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.timeutil import format_deadline, format_duration, format_timestamp

AFTER_RESOLUTION = ("resolved_at", "deployed_at")


def record_id(subject: Subject) -> str:
    """How the lifecycle commands name the record (`--id hotfix-007`)."""
    record = subject.record
    if record.number is not None:
        return f"hotfix-{record.number:03d}"
    return record.id or record.folder.rsplit("/", 1)[-1]


def overdue(gate: Gate, subject: Subject) -> str:
    """`overdue by 3d 2h: due 2025-10-03T16:00:00Z, 48h after resolution`."""
    assert gate.clock is not None
    started = gate.clock.start(subject.record)
    if started is None:
        return "not due"
    key, start = started
    allowed = gate.clock.allowed(subject.run.config)
    due = start + allowed
    late = max(subject.run.now - due, timedelta(0))
    return (f"overdue by {format_duration(late)}: due {format_timestamp(due)}, "
            f"{format_deadline(allowed)} after {START_WORDS.get(key, key)}")


class RecordValid(Gate):
    code, name = "HG001", "record-valid"
    waivable = False
    passes = ("hotfix.md exists, its front matter reads with the documented types, and its "
              "milestones are complete, in order and not in the future")

    def check(self, subject: Subject) -> Iterator[Finding]:
        yield from subject.parse_findings
        yield from consistency.problems(subject.record, subject.run.now)


class ConfigValid(Gate):
    code, name = "HG002", "config-valid"
    moments = frozenset({Moment.MERGE})
    scope = Scope.TREE
    waivable = False
    passes = "a .hotfix-gates.yaml the judged tree brings loads"
    condition = "server and CI, where the configuration comes from the target"

    def check_tree(self, run: Run) -> Iterator[Finding]:
        problem = target.config_problem(run)
        if problem is not None and run.config_file is not None:
            yield self.finding(run.config_file, problem.line,
                               f"this configuration does not load: {problem.detail}",
                               "fix it: the target's configuration judges this push, and the "
                               "next push would be judged by a broken one")


class Severity(Gate):
    code, name = "HG101", "severity"
    moments = frozenset({Moment.MERGE, Moment.HOTFIX_PUSH})
    needs = ("severity",)
    passes = "severity is P0, P1 or P2"

    def check(self, subject: Subject) -> Iterator[Finding]:
        record = subject.record
        if record.severity is None:
            yield self.finding(record.path, record.line_of("severity"), "severity is not set",
                               f"run `hotfix-gate set severity P0|P1|P2 --id "
                               f"{record_id(subject)}` (P0 outage, P1 major, P2 minor)")


class RollbackPlan(Gate):
    code, name = "HG102", "rollback-plan"
    moments = frozenset({Moment.MERGE})
    needs = ("rollback_plan",)
    passes = "rollback_plan is set, or the `## Rollback Plan` section has real content"

    def check(self, subject: Subject) -> Iterator[Finding]:
        record = subject.record
        if not record.rollback_plan:
            yield self.finding(record.path, record.line_of("rollback_plan"), "no rollback plan",
                               f"say how to undo the fix: `hotfix-gate set rollback-plan TEXT "
                               f"--id {record_id(subject)}`")


class QuickReview(Gate):
    code, name = "HG103", "quick-review"
    level = Level.WARN
    moments = frozenset({Moment.MERGE})
    needs = ("reviewed_by", "severity")
    passes = "reviewed_by is set"
    condition = "P1 and P2 only (P0 may skip review)"

    def relevant(self, subject: Subject) -> bool:
        return subject.record.severity in ("P1", "P2")

    def check(self, subject: Subject) -> Iterator[Finding]:
        record = subject.record
        if not record.reviewed_by:
            yield self.finding(record.path, record.line_of("reviewed_by"),
                               f"{record.severity} fix has no quick review recorded",
                               f"run `hotfix-gate set reviewed-by NAME --id "
                               f"{record_id(subject)}`")


class PostMortem(Gate):
    code, name = "HG201", "post-mortem"
    moments = frozenset({Moment.POST_INCIDENT})
    clock = Clock(AFTER_RESOLUTION, "post-mortem", timedelta(hours=48))
    passes = "post-mortem.md has status: complete and every required section written"

    def check(self, subject: Subject) -> Iterator[Finding]:
        reading = subject.post_mortem
        if reading.state == "complete":
            return
        record, when = subject.record, overdue(self, subject)
        if reading.post is None:
            missing = reading.state == "missing"
            yield self.finding(record.path if missing else reading.path,
                               record.line_of("resolved_at") if missing else reading.line,
                               f"post-mortem is {reading.state} ({reading.problem}; {when})",
                               f"write {reading.path} from the template and commit it")
            return
        post = reading.post
        unwritten = post.unwritten()
        if unwritten:
            first = post.sections.get(unwritten[0].lower())
            names = ", ".join(unwritten)
            yield self.finding(reading.path, first.line if first else 1,
                               f"post-mortem sections not written: {names} ({when})",
                               "write them (template guidance does not count), then run "
                               f"`hotfix-gate post-mortem-complete --id {record_id(subject)}`")
        elif post.status is None and record.format == "legacy":
            yield self.finding(record.path, record.line_of("status"),
                               f"post-mortem is not marked complete ({when})",
                               "check [x] Post-Mortem Complete on the **Status**: line")
        else:
            state = f"status is {post.status}" if post.status else "status is not set"
            yield self.finding(reading.path, post.status_line,
                               f"post-mortem is not complete: {state} ({when})",
                               f"run `hotfix-gate post-mortem-complete --id "
                               f"{record_id(subject)}`")


class RegressionTest(Gate):
    code, name = "HG202", "regression-test"
    moments = frozenset({Moment.POST_INCIDENT})
    clock = Clock(AFTER_RESOLUTION, "regression-test", timedelta(hours=48))
    needs = ("regression_tests",)
    passes = ("regression_tests lists committed tests outside the records, each `::name` "
              "defined in its file")

    def check(self, subject: Subject) -> Iterator[Finding]:
        reading = subject.tests
        record = subject.record
        line = record.line_of("regression_tests")
        if reading.state == "none":
            yield self.finding(record.path, line,
                               f"no regression test recorded ({overdue(self, subject)})",
                               f"commit the test, then run `hotfix-gate regression-test "
                               f"tests/test_x.py::test_name --id {record_id(subject)}`")
        for problem in reading.problems:
            yield self.finding(record.path, line,
                               f"regression test {problem.entry!r:.120}: {problem.message}",
                               problem.fix)


class ResolutionRecorded(Gate):
    code, name = "HG203", "resolution-recorded"
    needs = ("status", "resolved_at")
    passes = "resolved_at is set"
    condition = "status is resolved or closed"

    def relevant(self, subject: Subject) -> bool:
        return subject.record.status in DONE_STATUSES

    def check(self, subject: Subject) -> Iterator[Finding]:
        record = subject.record
        if record.resolved_at is None:
            yield self.finding(record.path, record.line_of("status"),
                               f"status is {record.status} but resolved_at is not set",
                               f"record when it ended: `hotfix-gate resolved --at TIME --id "
                               f"{record_id(subject)}`")


class OpenIncident(Gate):
    code, name = "HG204", "open-incident"
    moments = frozenset({Moment.MERGE})
    clock = Clock(("incident_start",), "resolution", timedelta(hours=72))
    needs = ("resolved_at", "incident_start")
    passes = "resolved_at is set"
    condition = "waivable while the incident really is still open"

    def check(self, subject: Subject) -> Iterator[Finding]:
        record = subject.record
        if record.resolved_at is not None or record.incident_start is None:
            return
        age = format_duration(subject.run.now - record.incident_start)
        yield self.finding(record.path, record.line_of("resolved_at"),
                           f"open {age} with no resolution recorded",
                           f"record it (`hotfix-gate resolved --at TIME --id "
                           f"{record_id(subject)}`) and commit it, or waive {self.code} while "
                           "the incident really is still open")


class MilestonesKept(Gate):
    code, name = "HG205", "milestones-kept"
    moments = frozenset({Moment.MERGE})
    passes = ("no milestone on the target branch's copy of the record moves later or "
              "disappears, and the status does not move back; on another protected branch, "
              "no milestone moves later than on the server's default branch")
    condition = "server and CI, when the target branch (or the server's default branch) holds " \
                "the record"

    def relevant(self, subject: Subject) -> bool:
        return bool(subject.target_copies or subject.reference_copies)

    def check(self, subject: Subject) -> Iterator[Finding]:
        record, seen = subject.record, set()
        moves = [move for copy in subject.target_copies for move in target.moved(record, copy)]
        moves += [move for copy in subject.reference_copies  # a branch cut from it earlier
                  for move in target.moved(record, copy, subject.run.reference_name,
                                           later_only=True)]
        for key, message in moves:
            if key in seen:
                continue
            seen.add(key)
            yield self.finding(record.path, record.line_of(key), message,
                               "keep the time recorded when it happened; to correct a wrong "
                               f"one, record why: `hotfix-gate waive {self.name} --id "
                               f"{record_id(subject)} --reason TEXT --until 24h`")


class RecordKept(Gate):
    code, name = "HG206", "record-kept"
    moments = frozenset({Moment.MERGE})
    scope = Scope.REMOVED
    passes = ("each record on the target branch is still in the judged tree, unless it is "
              "resolved with its post-mortem complete and its regression tests present")
    condition = "server and CI; its waiver goes on the target's copy, merged first"

    def check(self, subject: Subject) -> Iterator[Finding]:
        owed = target.unfinished(subject)
        if owed:
            record = subject.record
            yield self.finding(record.path, 1,
                               f"{record_id(subject)} is on the target branch but gone from "
                               f"the judged tree (deleted, renamed or moved) while its work is "
                               f"not done: {', '.join(owed)}",
                               f"restore {record.folder}; remove a record once it is complete, "
                               f"or merge a waiver first (`hotfix-gate waive {self.name} --id "
                               f"{record_id(subject)} --reason TEXT --until 24h`)")


class RulesKept(Gate):
    code, name = "HG207", "rules-kept"
    moments = frozenset({Moment.MERGE})
    scope = Scope.TREE
    waivable = False
    passes = ("a .hotfix-gates.yaml the judged tree brings keeps every rule in force, or the "
              "judging side accepted that version")
    condition = "server and CI, where the configuration comes from the target"

    def check_tree(self, run: Run) -> Iterator[Finding]:
        weakened = rules.rules_weakened(run, GATES)
        if weakened is not None:
            name, blob, relaxed, kept_broken = weakened
            accept = (f"`git config --add {ACCEPT_RULES_CONFIG} {blob}` in the judging "
                      f"repository (the server's; your clone's for pre-push; "
                      f"${ENV_ACCEPT_RULES} in CI)" if blob else
                      "a deleted file cannot be accepted; keep one")
            if kept_broken:  # what judges next comes from the pushed history
                yield self.finding(name, 1, f"{kept_broken} would judge the next push, and it "
                                   f"relaxes the rules in force: {'; '.join(relaxed)}",
                                   f"repair {name} in this push, keeping those rules")
                return
            yield self.finding(name, 1, f"relaxes the rules in force: {'; '.join(relaxed)}",
                               f"keep them, or whoever runs the judge accepts this file: {accept}")


class UniqueId(Gate):
    code, name = "HG301", "unique-id"
    scope = Scope.REPOSITORY
    waivable = False
    passes = "no two records share a number"

    def check_all(self, subjects: Sequence[Subject]) -> Iterator[Finding]:
        by_number: dict[int, list[Subject]] = {}
        for subject in subjects:
            record = subject.record
            number = record.number if record.number is not None else id_number(record.id)
            if number is not None:
                by_number.setdefault(number, []).append(subject)
        for number, group in sorted(by_number.items()):
            if len(group) < 2:
                continue
            group.sort(key=_age)
            folders = ", ".join(s.record.folder for s in group)
            for subject in group[1:]:
                record = subject.record
                yield self.finding(record.path, record.line_of("id"),
                                   f"number {number:03d} is also used by "
                                   f"{group[0].record.folder} ({len(group)} records: {folders})",
                                   "renumber this record: rename its folder and branch, and "
                                   "update id (`hotfix-gate new` gives the next free number)")


def _age(subject: Subject) -> tuple[bool, float, str]:
    """Oldest first: the record that came first keeps the number."""
    start = subject.record.incident_start
    return (start is None, start.timestamp() if start else 0.0, subject.record.folder)


GATES: tuple[Gate, ...] = (
    RecordValid(), ConfigValid(), Severity(), RollbackPlan(), QuickReview(), PostMortem(),
    RegressionTest(), ResolutionRecorded(), OpenIncident(), MilestonesKept(), RecordKept(),
    RulesKept(), UniqueId(),
)
GATES_BY_ID: dict[str, Gate] = {g.code: g for g in GATES} | {g.name: g for g in GATES}


def find_gate(given: str) -> Gate | None:
    """A gate by code or name, in any case."""
    text = given.strip()
    return GATES_BY_ID.get(text.upper()) or GATES_BY_ID.get(text.lower())
