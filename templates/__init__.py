"""The default templates of `hotfix-gate new`, shipped as package data."""
