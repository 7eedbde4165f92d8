"""The check before a write: exactly the intended change, nothing else."""

from __future__ import annotations

import pytest

from hotfix_gates.editing.verify import front_matter_values, verify, verify_front_matter
from hotfix_gates.editing.yamlemit import Stamp
from hotfix_gates.model.errors import EditError

DOC = (b"---\nid: hotfix-001\nstatus: investigating\nincident_start: 2025-10-01T14:00:00Z\n"
       b"severity: null  # assess first\nowner: ana\n---\n# Hotfix\n\n## Notes\nkeep\n")


def test_the_intended_change_passes() -> None:
    after = DOC.replace(b"severity: null", b"severity: P1")
    verify(DOC, after, {"severity": "P1"})
    stamped = DOC.replace(b"owner: ana\n", b"owner: ana\ndetected_at: 2025-10-01T14:05:00Z\n")
    verify(DOC, stamped, {"detected_at": Stamp("2025-10-01T14:05:00Z")})


@pytest.mark.parametrize(("after", "changes", "message"), [
    (DOC.replace(b"owner: ana", b"owner: bo"), {"severity": None}, "keys owner"),
    (DOC.replace(b"keep", b"changed"), {"severity": None}, "body of hotfix.md"),
    (DOC.replace(b"status: investigating", b"status: on fire"), {"status": "on fire"},
     "would not be valid"),
    (DOC.replace(b"  # assess first", b""), {"severity": None}, "'# assess first'"),
    (DOC.replace(b"## Notes\nkeep\n", b"## Notes!\nkeep\nrow\n"), {}, "beyond the added"),
])
def test_anything_else_is_refused(after: bytes, changes: dict[str, object],
                                  message: str) -> None:
    with pytest.raises(EditError, match=message):
        verify(DOC, after, changes)


def test_a_post_mortem_keeps_its_body() -> None:
    post = b"---\nstatus: draft\n---\n## Executive Summary\ntext\n"
    verify_front_matter(post, post.replace(b"draft", b"complete"), {"status": "complete"})
    with pytest.raises(EditError, match="change the body"):
        verify_front_matter(post, post.replace(b"text", b"other"), {})


def test_values_read_as_the_gates_read_them() -> None:
    assert front_matter_values(DOC)["severity"] is None
    with pytest.raises(EditError, match="does not read back"):
        front_matter_values(b"# no front matter\n")
