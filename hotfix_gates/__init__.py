"""hotfix-gates: quality gates for emergency hotfixes, enforced by git hooks.

Kept empty on purpose: hooks import submodules directly and every import here
would be paid for on every commit and push.
"""

__version__ = "0.1.0"
# Where the project is published (its README, for reports that link to the
# tool, such as SARIF's informationUri): the address the README's examples use.
__url__ = "https://example.com/your-mirror/hotfix-gates"
