"""The spec-kit extension (extension.yml and its command files), shipped as
package data: `hotfix-gate speckit path` prints where it is installed."""
