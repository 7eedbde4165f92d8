"""Report formats that CI platforms read: SARIF (code scanning), GitLab Code
Quality, JUnit XML, and the Markdown of a job summary.

Pure functions from findings to text. Only `check --format` and `hotfix-gate
ci` load them; the hooks never do.
"""
