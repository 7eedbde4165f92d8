"""A repository of spec-kit (Markdown-only) hotfix records, side by side with
a front-matter one, built from the fixtures in tests/fixtures/legacy."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from testing.repos import commit_all, make_repo, write_record

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "legacy"
TEMPLATE_POST_MORTEM = FIXTURES / "post-mortem-template.md"
COMPLETE_POST_MORTEM = FIXTURES / "post-mortem-complete.md"
EARLY = "2025-10-02T00:00:00Z"  # a day after the incidents: no deadline has passed
LATE = "2025-10-06T00:00:00Z"  # days later: every post-incident deadline has passed

# folder -> (fixture case, post-mortem to put beside it, or None)
LAYOUT: dict[str, tuple[str, Path | None]] = {
    "specs/hotfix/001-checkout-timeouts": ("fresh", TEMPLATE_POST_MORTEM),
    "specs/hotfix/002-checkout-timeouts": ("filled", TEMPLATE_POST_MORTEM),
    "specs/hotfix/003-payments-503": ("closed", COMPLETE_POST_MORTEM),
    "specs/hotfix-004-search-empty": ("overdue", TEMPLATE_POST_MORTEM),  # the older layout
    "specs/hotfix/005-login-loop": ("ambiguous", None),
    "specs/hotfix/006-image-uploads": ("variants", None),
}
FRONT_MATTER_FOLDER = "specs/hotfix/007-cache-stampede"

TESTS = {
    "tests/test_checkout.py": "def test_pool_released_on_timeout():\n    assert True\n",
    "tests/test_payments.py": "def test_payment_succeeds():\n    assert True\n",
    "tests/test_upload.py": "def test_png_accepted():\n    assert True\n",
    "tests/test_mime.py": "def test_heic_accepted():\n    assert True\n",
}


def add_legacy_record(repo: Path, folder: str, case: str, post_mortem: Path | None) -> Path:
    """Copy a fixture record in, with what the workflow's scripts leave beside
    it: plan.md/tasks.md/spec.md symlinked to hotfix.md and `.bak` copies."""
    target = repo / folder
    target.mkdir(parents=True)
    shutil.copyfile(FIXTURES / case / "hotfix.md", target / "hotfix.md")
    if post_mortem is not None:
        shutil.copyfile(post_mortem, target / "post-mortem.md")
        shutil.copyfile(post_mortem, target / "post-mortem.md.bak")
    for name in ("plan.md", "tasks.md", "spec.md"):
        os.symlink("hotfix.md", target / name)
    shutil.copyfile(target / "hotfix.md", target / "hotfix.md.bak")
    (target / "POST_MORTEM_REMINDER.txt").write_text("Post-mortem due 48 hours after resolution.\n")
    return target


def build(path: Path) -> Path:
    """Every fixture case, a front-matter record, the tests they name, and a
    stray `.bak` copy of a whole record folder; all committed."""
    repo = make_repo(path)
    for folder, (case, post_mortem) in LAYOUT.items():
        add_legacy_record(repo, folder, case, post_mortem)
    shutil.copytree(repo / "specs/hotfix/001-checkout-timeouts",
                    repo / "specs/hotfix/001-checkout-timeouts.bak", symlinks=True)
    write_record(repo, 7, "cache-stampede", severity="P0", rollback_plan="git revert 77aa77a")
    for name, text in TESTS.items():
        (repo / name).parent.mkdir(exist_ok=True)
        (repo / name).write_text(text)
    commit_all(repo, "hotfix records from the spec-kit workflow")
    return repo


def copy(repo: Path, path: Path) -> Path:
    """A private copy of a built repository (symlinks kept), for tests that write."""
    shutil.copytree(repo, path, symlinks=True)
    return path
