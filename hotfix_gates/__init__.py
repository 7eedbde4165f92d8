"""hotfix-gates: quality gates for emergency hotfixes, enforced by git hooks.

Kept empty on purpose: hooks import submodules directly and every import here
would be paid for on every commit and push.
"""

__version__ = "0.1.0"
