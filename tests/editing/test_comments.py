"""Comments found by the YAML scanner, and edits that keep every one of them."""

from __future__ import annotations

import pytest

from hotfix_gates.editing import frontmatter as fmedit
from hotfix_gates.editing.comments import find_comments, same_comments
from hotfix_gates.editing.yamlemit import Stamp
from hotfix_gates.model.errors import EditError
from testing.edits import line_diff

TEXT = """# top
a: |  # after the header
  text
  # text, not a comment
# after the block
b: [x, # in a flow list
  # on its own line in it
  y]
c:
  # between key and value
  v
d:
  - 1
  # between items
  - 2
f: 'q # not a comment'
g: "x#y" #tight
h: a#b
"""


def test_every_comment_and_nothing_else() -> None:
    found = [(c.line, c.text, c.own_line) for c in find_comments(TEXT)]
    assert found == [
        (0, "# top", True), (1, "# after the header", False), (4, "# after the block", True),
        (5, "# in a flow list", False), (6, "# on its own line in it", True),
        (9, "# between key and value", True), (13, "# between items", True),
        (16, "#tight", False),
    ]


def test_text_that_is_not_yaml_is_refused() -> None:
    with pytest.raises(EditError, match="by hand"):
        find_comments("a: \"unclosed\n")


def test_same_comments_names_what_was_lost_or_gained() -> None:
    assert same_comments("a: 1  # x\n", "# x\na: 2\n") == []
    assert same_comments("a: 1  # x\n", "a: 1\n") == ["# x"]
    assert same_comments("a: 1\n", "a: 1 # y\n") == ["+# y"]


DOC = b"""---
id: hotfix-001
status: investigating
incident_start: 2025-10-01T14:00:00Z
deployed_at:
  # filled at deploy time
  null
regression_tests: [tests/a.py,  # first
  # second
  tests/b.py]
waivers:
  # none yet
---
# Hotfix
"""


def test_a_comment_between_key_and_value_moves_above_the_key() -> None:
    out = fmedit.set_key(DOC, "deployed_at", Stamp("2025-10-01T15:00:00Z"))
    assert line_diff(DOC, out) == (
        [b"deployed_at:\n", b"  # filled at deploy time\n", b"  null\n"],
        [b"# filled at deploy time\n", b"deployed_at: 2025-10-01T15:00:00Z\n"])


def test_a_flow_list_spanning_lines_keeps_its_comments() -> None:
    out = fmedit.append_item(DOC, "regression_tests", "tests/c.py::test_pool")
    assert b"# first\n# second\nregression_tests:\n- tests/a.py\n- tests/b.py\n" in out
    assert fmedit.front_matter_values(out)["regression_tests"] == [
        "tests/a.py", "tests/b.py", "tests/c.py::test_pool"]


def test_a_null_list_with_a_comment_below_keeps_it() -> None:
    item = {"gate": "HG201", "reason": "vendor", "by": "A <a@x>",
            "at": Stamp("2025-10-01T15:00:00Z"), "until": None}
    out = fmedit.append_item(DOC, "waivers", item)
    assert out.endswith(b"waivers:\n- gate: HG201\n  reason: vendor\n  by: A <a@x>\n"
                        b"  at: 2025-10-01T15:00:00Z\n  until: null\n  # none yet\n---\n# Hotfix\n")


def test_removing_an_item_keeps_its_comment_in_place() -> None:
    doc = DOC.replace(b"regression_tests: [tests/a.py,  # first\n  # second\n  tests/b.py]\n",
                      b"regression_tests:\n  - tests/a.py  # flaky\n  - tests/b.py\n")
    out = fmedit.remove_item(doc, "regression_tests", "tests/a.py")
    assert line_diff(doc, out) == ([b"  - tests/a.py  # flaky\n"], [b"  # flaky\n"])
    last = fmedit.remove_item(out, "regression_tests", "tests/b.py")
    assert b"  # flaky\nregression_tests: []\n" not in last  # moved to the margin
    assert b"# flaky\nregression_tests: []\n" in last
    with pytest.raises(EditError, match="not listed"):
        fmedit.remove_item(last, "regression_tests", "tests/b.py")


def test_verification_refuses_an_edit_that_drops_a_comment() -> None:
    dropped = DOC.replace(b"  # filled at deploy time\n", b"")
    with pytest.raises(EditError, match="would not keep the comment '# filled at deploy"):
        fmedit.verify(DOC, dropped, {})
    added = DOC.replace(b"status: investigating\n", b"status: investigating  # sneaky\n")
    with pytest.raises(EditError, match="'# sneaky'"):
        fmedit.verify(DOC, added, {})


def test_two_comments_around_a_one_line_value_stay_two() -> None:
    doc = b"---\nreviewed_by:  # who\n\n  Ana  # reviewed in chat\n---\n"
    out = fmedit.set_key(doc, "reviewed_by", "Bo", fmedit.verify_front_matter)
    assert out == b"---\nreviewed_by: Bo  # who\n# reviewed in chat\n---\n"
