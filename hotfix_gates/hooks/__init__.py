"""Entry points of the git hooks; each is `main(argv) -> int` and imports little."""
