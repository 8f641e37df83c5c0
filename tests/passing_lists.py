"""Corpora measured against a list of what passes today: a listed case that fails is
a regression, and an unlisted one that passes must be added, so the list (and the
counts the README quotes from it) stays true."""
import os


def read(name):
    path = os.path.join(os.path.dirname(__file__), name)
    return {line.strip() for line in open(path) if line.strip() and not line.startswith("#")}


def assert_as_listed(case, ok, detail, list_name):
    if case in read(list_name):
        assert ok, f"{case} passed before and now fails: {detail}"
    else:
        assert not ok, f"{case} now passes: add it to tests/{list_name} (and the README's count)"
