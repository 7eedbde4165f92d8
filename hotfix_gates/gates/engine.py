"""The one judging path: `check`, every hook, `status` and `report` call `judge`.

The engine takes the records to judge and the moments of the judgement,
keeps the gates in force (declared moments, configured level, and for a
deadline gate its clock), runs them, applies the policy (levels, waivers),
and returns per record the findings, the gates that applied, and each
deadline's state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from hotfix_gates.gates import policy, settled
from hotfix_gates.gates.builtin import GATES
from hotfix_gates.gates.registry import Gate, Moment, Scope
from hotfix_gates.gates.subject import Run, Subject
from hotfix_gates.model.constants import folder_number
from hotfix_gates.model.finding import Finding, Level, sort_key
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.parsing.records import load_record, load_records, record_folders

# The moments of the usual judgements.
MERGE_CHECK = frozenset({Moment.MERGE, Moment.POST_INCIDENT})  # check, pushes to protected
COMMIT = frozenset({Moment.MERGE})  # commit-msg on a protected branch
HOTFIX_PUSH = frozenset({Moment.HOTFIX_PUSH})  # pushing hotfix/NNN-*


class Deadline(NamedTuple):
    """One deadline gate for one record."""

    code: str
    name: str
    due: datetime | None  # None while its clock has not started
    state: str  # met | pending | overdue | waived | off | not-started | invalid

    @property
    def open(self) -> bool:
        return self.state in ("pending", "overdue", "waived")


@dataclass
class Verdict:
    subject: Subject
    gates: tuple[Gate, ...]  # the gates in force for this record
    findings: list[Finding]
    deadlines: tuple[Deadline, ...]

    @property
    def record(self) -> HotfixRecord:
        return self.subject.record

    @property
    def blocked(self) -> bool:
        return any(f.blocking for f in self.findings)

    @property
    def overdue(self) -> bool:
        return any(d.state == "overdue" for d in self.deadlines)


@dataclass
class Judgement:
    verdicts: list[Verdict]
    findings: list[Finding]  # every finding, the repository's own included, in path order

    @property
    def records(self) -> list[HotfixRecord]:
        return [v.record for v in self.verdicts]

    @property
    def blocked(self) -> bool:
        return any(f.blocking for f in self.findings)


def judge(run: Run, moments: frozenset[Moment], folders: Iterable[str] | None = None,
          *, deadlines: bool = False) -> Judgement:
    """Judge the records in `run.tree` (or only those in `folders`) at `moments`.
    With `deadlines`, every deadline gate is also evaluated before it is due,
    so `status` can tell "met" from "pending"."""
    loaded, problems = load_records(run.tree, run.config, folders, run.cache)
    subjects = [Subject(record, found, run) for record, found in loaded]
    unit = GATES[0]
    findings = policy.apply(problems, unit, None, run.config, run.now)
    # Which record gates apply is the same for every record: decided once.
    plan = tuple(_step(gate, run, moments) for gate in GATES
                 if gate.scope is Scope.RECORD and gate.moments & moments)
    shared_key = settled.context(run, moments) if not deadlines else None
    verdicts = [_judged(subject, plan, deadlines, shared_key) for subject in subjects]
    shared = tuple(g for g in GATES if g.scope is Scope.REPOSITORY and in_force(g, run, moments))
    for verdict in verdicts:
        verdict.gates += shared  # judged across the records, held to each of them
    for verdict in verdicts:
        findings.extend(verdict.findings)
    findings.extend(_repository(run, subjects, moments, folders is not None))
    if folders is None:  # a judgement of some records says nothing of the rest
        findings.extend(_tree(run, moments))
        findings.extend(_removed(run, subjects, moments))
    findings.sort(key=sort_key)
    return Judgement(verdicts, findings)


def judge_rules(run: Run) -> Judgement:
    """Only what the judged tree's configuration does to the rules in force
    (the tree gates: HG002, HG207), for a branch whose configuration judges
    others though its records are not judged."""
    return Judgement([], sorted(_tree(run, MERGE_CHECK), key=sort_key))


def in_force(gate: Gate, run: Run, moments: frozenset[Moment]) -> bool:
    return bool(gate.moments & moments) and policy.level_of(gate, run.config) is not Level.OFF


class _Step(NamedTuple):
    """A record gate as this judgement holds it, decided once for all records."""

    gate: Gate
    active: bool  # in force at these moments, at the configured level
    off: bool  # configured off (a deadline gate's state is then "off")
    allowed: timedelta | None  # a deadline gate's time after its clock starts


def _step(gate: Gate, run: Run, moments: frozenset[Moment]) -> _Step:
    clock = gate.clock
    return _Step(gate, in_force(gate, run, moments),
                 policy.level_of(gate, run.config) is Level.OFF,
                 clock.allowed(run.config) if clock is not None else None)


def _judged(subject: Subject, plan: tuple[_Step, ...], deadlines: bool,
            shared_key: str | None) -> Verdict:
    """The record's verdict: served when it is settled (see gates.settled)."""
    key = settled.key(subject, shared_key) if shared_key is not None else None
    codes = settled.recall(subject, key) if key is not None else None
    if codes is not None:
        return Verdict(subject, tuple(s.gate for s in plan if s.gate.code in codes), [], ())
    verdict, met = _verdict(subject, plan, deadlines)
    if shared_key is not None and met and not verdict.findings:
        settled.remember(subject, tuple(g.code for g in verdict.gates), shared_key, key)
    return verdict


def _verdict(subject: Subject, plan: tuple[_Step, ...],
             deadlines: bool) -> tuple[Verdict, bool]:
    """The verdict, and whether every deadline in the plan had come and was
    met (or is off): then only a change of what it reads can change it."""
    run, record = subject.run, subject.record
    gates: list[Gate] = []
    findings: list[Finding] = []
    timed: list[Deadline] = []
    met = True
    for gate, active, off, allowed in plan:
        if allowed is None:
            if active and gate.relevant(subject):
                gates.append(gate)
                raw = _checked(gate, subject)
                if raw:
                    findings.extend(policy.apply(raw, gate, record, run.config, run.now))
            continue
        state, due = _deadline(gate, subject, off, allowed, early=deadlines)
        if state == "overdue" and active:  # due: the gate is in force
            raw = _run_gate(gate, subject)
            found = policy.apply(raw, gate, record, run.config, run.now)
            gates.append(gate)
            findings.extend(found)
            state = _settled(raw, found)
        met = met and state in ("met", "off")
        if deadlines:
            timed.append(Deadline(gate.code, gate.name, due, state))
    return Verdict(subject, tuple(gates), findings, tuple(timed)), met


def _run_gate(gate: Gate, subject: Subject) -> list[Finding]:
    if gate.needs and not subject.usable(*gate.needs):
        return []  # HG001 reports the keys this gate needs
    if not gate.relevant(subject):
        return []
    return _checked(gate, subject)


def _checked(gate: Gate, subject: Subject) -> list[Finding]:
    """The gate's findings on a record it is relevant to."""
    if gate.needs and not subject.usable(*gate.needs):
        return []  # HG001 reports the keys this gate needs
    found = list(gate.check(subject))
    if found and subject.record.format == "legacy":
        from hotfix_gates.parsing.speckit import reword

        found = reword(found, subject.record)  # fixes worded for the Markdown-only form
    return found


def _deadline(gate: Gate, subject: Subject, off: bool, allowed: timedelta, *,
              early: bool) -> tuple[str, datetime | None]:
    """The deadline's state as its clock stands, and when it is due: "overdue"
    here means only "due now" (the gate then settles it). Before it is due,
    the gate is run only when `early` asks for it, to tell met from pending."""
    clock = gate.clock
    assert clock is not None
    if subject.record.invalid and (not subject.usable(*gate.needs)
                                   or not subject.usable(*clock.starts)):
        return "invalid", None
    started = clock.start(subject.record)
    due = started[1] + allowed if started else None
    if off:
        return "off", due
    if due is None:
        return "not-started", None
    if subject.run.now >= due:
        return "overdue", due
    return "pending" if not early or _run_gate(gate, subject) else "met", due


def _settled(raw: list[Finding], found: list[Finding]) -> str:
    if not raw:
        return "met"
    if any(f.waiver is None for f in found):
        return "overdue"
    return "waived"


def _repository(run: Run, subjects: list[Subject], moments: frozenset[Moment],
                partial: bool) -> list[Finding]:
    """Repository-wide gates. When only some folders are judged (a hook on a
    few changed records), the records that share a number with them are read
    too: numbers must be unique across the tree."""
    out: list[Finding] = []
    for gate in GATES:
        if gate.scope is not Scope.REPOSITORY or not in_force(gate, run, moments):
            continue
        group = subjects
        wanted = {s.record.folder for s in subjects}
        if partial:
            group = _sharing_numbers(run, subjects)
        raw = [f for f in gate.check_all(group) if not partial
               or f.path.rsplit("/", 1)[0] in wanted]
        out.extend(policy.apply(raw, gate, None, run.config, run.now))
    return out


def _tree(run: Run, moments: frozenset[Moment]) -> list[Finding]:
    out: list[Finding] = []
    for gate in GATES:
        if gate.scope is Scope.TREE and in_force(gate, run, moments):
            out.extend(policy.apply(list(gate.check_tree(run)), gate, None, run.config, run.now))
    return out


def _removed(run: Run, subjects: list[Subject], moments: frozenset[Moment]) -> list[Finding]:
    """The gates on the records the target holds and the judged tree does not
    (neither in their folder nor, renamed, under their number). Each is read
    from the target, and its waivers there are the ones that count."""
    gates = [g for g in GATES if g.scope is Scope.REMOVED and in_force(g, run, moments)]
    if run.baseline is None or not gates:
        return []
    folders = {s.record.folder for s in subjects}
    numbers = {s.record.number for s in subjects}
    out: list[Finding] = []
    target = None
    for folder, number in run.target_folders.items():
        if folder in folders or (number is not None and number in numbers):
            continue
        target = target or run.on_target()
        record, found = load_record(target.tree, folder, run.cache)
        subject = Subject(record, found, target)
        for gate in gates:
            out.extend(policy.apply(_run_gate(gate, subject), gate, record, run.config,
                                    run.now))
    return out


def _sharing_numbers(run: Run, subjects: list[Subject]) -> list[Subject]:
    by_number: dict[int | None, list[str]] = {}
    for folder in record_folders(run.tree, run.config)[0]:
        by_number.setdefault(folder_number(folder), []).append(folder)
    known = {s.record.folder: s for s in subjects}
    group: list[Subject] = []
    for numbered in by_number.values():
        if len(numbered) > 1 and known.keys() & set(numbered):
            for folder in numbered:
                subject = known.get(folder)
                if subject is None:
                    record, found = load_record(run.tree, folder, run.cache)
                    subject = Subject(record, found, run)
                group.append(subject)
    return group
