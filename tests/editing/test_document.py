"""The line view edits work on: what is not spliced keeps every byte."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotfix_gates.editing.document import BOM, Doc
from hotfix_gates.model.errors import EditError


@given(st.lists(st.sampled_from(["a: 1", "# c", "", "body", "x\r"]), max_size=6),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())
def test_parse_then_render_is_the_same_bytes(middle: list[str], newline: str, bom: bool,
                                              last_ending: bool) -> None:
    text = newline.join(["---", *middle, "---", "# Body"]) + (newline if last_ending else "")
    data = (BOM if bom else b"") + text.encode()
    assert Doc.parse(data).render() == data


def test_splice_uses_the_files_line_ending() -> None:
    doc = Doc.parse(b"---\r\na: 1\r\n---\r\nbody")
    assert doc.splice(1, 2, ["a: 2", "b: 3"]) == b"---\r\na: 2\r\nb: 3\r\n---\r\nbody"
    assert doc.close == 2


@pytest.mark.parametrize(("data", "message"), [
    (b"# no front matter\n", "no front matter"),
    (b"---\na: 1\n", "never closed"),
    (b"---\n\xff\n---\n", "not UTF-8"),
])
def test_what_is_not_a_document_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(EditError, match=message):
        Doc.parse(data)
