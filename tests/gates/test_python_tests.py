"""Which definitions of a Python test file count for HG202: tests a runner
collects and runs, never dead code, skipped tests or modules no runner reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix_gates.gates.tests import check_entry
from hotfix_gates.git.trees import FsTree
from hotfix_gates.model.config import Config


def problem(tree: FsTree, entry: str) -> str | None:
    found = check_entry(tree, Config(), entry)
    return None if found is None else found.message


# Names that are defined but guard nothing: what a runner never collects or never runs.
NOT_RUN = {
    "tests/test_dead.py": """\
import typing
import pytest

def helper():
    pass

if False:
    def test_if_false():
        pass
else:
    def test_else_of_false():
        pass

while 0:
    def test_while_zero():
        pass

if typing.TYPE_CHECKING:
    def test_type_checking():
        pass

if __name__ == "__main__":
    def test_main():
        pass

@pytest.mark.skip(reason="flaky")
def test_skipped():
    pass

def test_overridden():
    pass

@pytest.mark.skip
def test_overridden():
    pass

def test_kept():
    pass

if False:
    def test_kept():
        assert False

@unittest.skip("later")
class TestSkippedClass:
    def test_inside(self):
        pass

class TestOff:
    __test__ = False

    def test_inside(self):
        pass

class Helper:
    def test_not_collected(self):
        pass

class PoolTests(unittest.TestCase):
    def test_release(self):
        pass

class test_lowercase:
    pass
""",
    "tests/test_skipped_module.py": "import pytest\npytest.skip('later', "
                                    "allow_module_level=True)\ndef test_x():\n    pass\n",
    "tests/test_marked_module.py": "import pytest\npytestmark = [pytest.mark.skip]\n"
                                   "def test_x():\n    pass\n",
    "tests/test_raising_module.py": "raise ImportError('gone')\ndef test_x():\n    pass\n",
    "tests/test_stub.pyi": "def test_x() -> None: ...\n",
    "tests/conftest.py": "def test_x():\n    pass\n",
    "app/pool.py": "def release():\n    pass\ndef test_release():\n    pass\n",
    "docs/notes.md": "release the connection\n",
}


@pytest.fixture
def dead(tmp_path: Path) -> FsTree:
    for path, text in NOT_RUN.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    return FsTree(tmp_path)


@pytest.mark.parametrize("entry", [
    "tests/test_dead.py::test_else_of_false",
    "tests/test_dead.py::test_kept",
    "tests/test_dead.py::PoolTests",
    "tests/test_dead.py::PoolTests::test_release",
])
def test_tests_that_run_count(dead: FsTree, entry: str) -> None:
    assert problem(dead, entry) is None


@pytest.mark.parametrize(("entry", "why"), [
    ("tests/test_dead.py::helper", "its name does not start with test"),
    ("tests/test_dead.py::test_if_false", "it is under `if False:`, which never runs"),
    ("tests/test_dead.py::test_while_zero", "it is under `while 0:`, which never runs"),
    ("tests/test_dead.py::test_type_checking",
     "it is under `if TYPE_CHECKING:`, which never runs"),
    ("tests/test_dead.py::test_main",
     'it is under `if __name__ == "__main__":`, which a test runner skips'),
    ("tests/test_dead.py::test_skipped", "it is skipped (@pytest.mark.skip)"),
    ("tests/test_dead.py::test_overridden", "it is skipped (@pytest.mark.skip)"),
    ("tests/test_dead.py::TestSkippedClass::test_inside", "it is skipped (@unittest.skip)"),
    ("tests/test_dead.py::TestOff::test_inside", "it is switched off (`__test__ = False`)"),
    ("tests/test_dead.py::Helper", "it holds no test that runs"),
    ("tests/test_dead.py::test_lowercase", "it holds no test that runs"),
])
def test_names_that_never_run_do_not_count(dead: FsTree, entry: str, why: str) -> None:
    path, _, name = entry.partition("::")
    assert problem(dead, entry) == f"{name.rsplit('::', 1)[-1]} in {path} is not a test: {why}"


@pytest.mark.parametrize(("entry", "message"), [
    ("tests/test_skipped_module.py::test_x", "test_x in tests/test_skipped_module.py is not a "
                                             "test: the module is skipped at line 2"),
    ("tests/test_marked_module.py::test_x", "test_x in tests/test_marked_module.py is not a "
                                            "test: the module is skipped at line 2 (pytestmark)"),
    ("tests/test_raising_module.py", "tests/test_raising_module.py defines no test that runs "
                                     "(a test* function, or a Test* class holding one)"),
    ("tests/test_stub.pyi::test_x", "tests/test_stub.pyi is a type stub, which no test runner "
                                    "runs"),
    ("tests/conftest.py::test_x", "tests/conftest.py is not a test module (test runners "
                                  "collect test*.py and *_test.py)"),
    ("app/pool.py::release", "app/pool.py is not a test module (test runners collect "
                             "test*.py and *_test.py)"),
    ("app/pool.py::test_release", "app/pool.py is not a test module (test runners collect "
                                  "test*.py and *_test.py)"),
    ("docs/notes.md::release", "docs/notes.md does not look like a test file"),
])
def test_files_no_runner_runs_do_not_count(dead: FsTree, entry: str, message: str) -> None:
    assert problem(dead, entry) == message
