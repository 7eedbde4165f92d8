"""Find the records in a tree and run the gates over them."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from hotfix_gates.gates.builtin import GATES, GATES_BY_ID, Context, duplicate_numbers
from hotfix_gates.git.cache import ParseCache
from hotfix_gates.git.trees import TreeView, read
from hotfix_gates.model.constants import LEGACY_FOLDER, RECORD_FILE, RECORD_FOLDER, folder_number
from hotfix_gates.model.errors import TreeError
from hotfix_gates.model.finding import Finding, Level, sort_key
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.parsing.config import Config
from hotfix_gates.parsing.hotfix import RECORD_CODE, RECORD_NAME, parse_hotfix


@dataclass
class Judgement:
    records: list[HotfixRecord]
    findings: list[Finding]

    @property
    def blocked(self) -> bool:
        return any(f.blocking for f in self.findings)


def record_folders(tree: TreeView, config: Config) -> tuple[list[str], list[Finding]]:
    """Record folders: `<specs_dir>/NNN-slug`, and the older `specs/hotfix-NNN-slug`."""
    folders: list[str] = []
    problems: list[Finding] = []
    specs = config.specs_dir
    kind = tree.kind(specs)
    if kind == "dir":
        listing = tree.listdir(specs)
        if listing is None:
            problems.append(_record_problem(
                specs, f"{specs} cannot be listed (a missing or corrupt tree object)",
                "repair the repository (`git fsck`) and push again"))
        for name, entry_kind in sorted((listing or {}).items()):
            # `*.bak` copies are left behind by the spec-kit workflow's scripts.
            if RECORD_FOLDER.fullmatch(name) and not name.endswith(".bak"):
                if entry_kind == "dir":
                    folders.append(f"{specs}/{name}")
                else:
                    problems.append(_record_problem(
                        f"{specs}/{name}", f"{specs}/{name} is a {entry_kind}, not a folder",
                        "a hotfix record is a folder holding hotfix.md"))
    elif kind is not None:
        problems.append(_record_problem(
            specs, f"{specs} is a {kind}, not a folder",
            f"make {specs} a real folder in the repository (or set specs_dir)"))
    else:
        # A symlinked or file parent hides the records: say so, never pass silently.
        parts = specs.split("/")
        for depth in range(1, len(parts)):
            above = "/".join(parts[:depth])
            above_kind = tree.kind(above)
            if above_kind is None:
                break
            if above_kind != "dir":
                problems.append(_record_problem(
                    above, f"{above} is a {above_kind}, not a folder, so {specs} is not read",
                    f"make {above} a real folder in the repository (or set specs_dir)"))
                break
    parent = posixpath.dirname(specs)
    if posixpath.basename(specs) == "hotfix" and tree.kind(parent) == "dir":
        for name, entry_kind in sorted((tree.listdir(parent) or {}).items()):
            if entry_kind == "dir" and LEGACY_FOLDER.fullmatch(name) and not name.endswith(".bak"):
                folders.append(f"{parent}/{name}" if parent else name)
    return folders, problems


def _record_problem(path: str, message: str, fix: str) -> Finding:
    return Finding(path, 1, RECORD_CODE, RECORD_NAME, message, fix, Level.ERROR)


def load_record(tree: TreeView, folder: str) -> tuple[HotfixRecord, list[Finding]]:
    path = f"{folder}/{RECORD_FILE}"

    def parse() -> tuple[HotfixRecord, list[Finding]]:
        try:
            data = read(tree, path)
        except TreeError as exc:
            record = HotfixRecord(path=path, folder=folder, number=folder_number(folder))
            record.invalid.add("*")
            return record, [_record_problem(path, f"cannot read the record: {exc}",
                                            f"every record folder needs a {RECORD_FILE}")]
        return parse_hotfix(path, folder, data)

    cache, key = folder_cache(tree, folder)
    if cache is None or key is None:
        return parse()
    # A symlinked hotfix.md reads outside its folder: its folder id does not pin it.
    return cache.record(key, parse, store=lambda: tree.kind(path) == "file")


def folder_cache(tree: TreeView, folder: str) -> tuple[ParseCache | None, str | None]:
    """The tree's parse cache and the key `folder:tree-id`, when both exist."""
    cache: ParseCache | None = getattr(tree, "cache", None)
    if cache is None:
        return None, None
    try:
        oid: str | None = tree.object_id(folder)  # type: ignore[attr-defined]
    except TreeError:
        return None, None
    return cache, (f"{folder}:{oid}" if oid else None)


def load_records(
    tree: TreeView, config: Config, folders: Iterable[str] | None = None
) -> tuple[list[tuple[HotfixRecord, list[Finding]]], list[Finding]]:
    found, problems = record_folders(tree, config)
    if folders is not None:
        wanted = set(folders)
        found = [f for f in found if f in wanted]
    return [load_record(tree, folder) for folder in found], problems


def judge(
    tree: TreeView,
    config: Config,
    now: datetime,
    moments: frozenset[str],
    folders: Iterable[str] | None = None,
) -> Judgement:
    """Run every gate in force over the records in `tree` (or only `folders`)."""
    loaded, findings = load_records(tree, config, folders)
    records = [record for record, _ in loaded]
    for record, parse_findings in loaded:
        ctx = Context(record, tree, config, now, moments, parse_findings)
        raw: list[Finding] = []
        for unit in GATES:
            raw.extend(unit.check(ctx))
        if record.format == "legacy":
            from hotfix_gates.parsing.speckit import reword

            raw = reword(raw)  # fixes worded for the Markdown-only form
        findings.extend(apply_policy(raw, record, config, now))
    if folders is None:
        findings.extend(apply_policy(list(duplicate_numbers(records)), None, config, now))
    else:
        # Numbers must be unique across the whole tree, even when judging a few.
        # Folder names carry the numbers, so only records sharing one are read
        # (a push of 1,000 hotfix branches must not read every record 1,000 times).
        by_number: dict[int | None, list[str]] = {}
        for folder in record_folders(tree, config)[0]:
            by_number.setdefault(folder_number(folder), []).append(folder)
        wanted = {r.folder for r in records}
        shared = [folder for group in by_number.values()
                  if len(group) > 1 and wanted.intersection(group) for folder in group]
        if shared:
            known = {r.folder: r for r in records}
            group_records = [known.get(f) or load_record(tree, f)[0] for f in shared]
            dupes = [f for f in duplicate_numbers(group_records)
                     if f.path.rsplit("/", 1)[0] in wanted]
            findings.extend(apply_policy(dupes, None, config, now))
    findings.sort(key=sort_key)
    return Judgement(records, findings)


def apply_policy(
    findings: list[Finding], record: HotfixRecord | None, config: Config, now: datetime
) -> list[Finding]:
    """Configured levels, then the record's waivers."""
    out = []
    for finding in findings:
        unit = GATES_BY_ID[finding.code]
        level = config.level(unit.code, unit.level)
        if level is Level.OFF:
            continue
        if level is Level.WARN and finding.level is Level.ERROR:
            finding = _replace(finding, level=Level.WARN)
        elif level is Level.ERROR and unit.level is Level.WARN:
            finding = _replace(finding, level=Level.ERROR)
        if record is not None and unit.waivable:
            finding = _waive(finding, record, config, now)
        out.append(finding)
    return out


def _replace(finding: Finding, **changes: object) -> Finding:
    from dataclasses import replace

    return replace(finding, **changes)  # type: ignore[arg-type]


def _waive(finding: Finding, record: HotfixRecord, config: Config, now: datetime) -> Finding:
    waivers = [w for w in record.waivers
               if w.gate.upper() == finding.code or w.gate.lower() == finding.name]
    if not waivers:
        return finding
    if finding.code in config.not_waivable:
        return _replace(finding, fix=finding.fix + f" (a waiver is recorded but {config.source} "
                        f"does not allow waiving {finding.code})")
    active = [w for w in waivers if w.active(now)]
    if active:
        return _replace(finding, waiver=active[-1])
    return _replace(finding, fix=finding.fix + " (its waiver has expired)")
