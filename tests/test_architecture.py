"""The house rules that are not import rules: a domain function takes plain values, never a
form, the request, ``g`` or the session (so tests and commands can call it, and two steps
can share one transaction). The import rules are import-linter's (.importlinter)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "agmtool"
FEATURES = ("accounts", "meetings", "concerns", "translation", "questions", "packs")
# Modules of a feature that face the web or the command line; every other one is domain.
EDGE_MODULES = {"__init__", "public", "staff", "forms", "auth", "admin", "csv_import",
                "ical", "pdf", "worker", "benchmark",
                "attendance"}  # questions.attendance: the pages of attendance
REQUEST_STATE = {"request", "g", "session"}


def domain_modules() -> list[Path]:
    return sorted(path for feature in FEATURES for path in (PACKAGE / feature).glob("*.py")
                  if path.stem not in EDGE_MODULES)


def test_the_domain_modules_are_found():
    names = {f"{path.parent.name}.{path.stem}" for path in domain_modules()}
    assert {"accounts.domain", "meetings.agms", "meetings.companies", "concerns.domain",
            "concerns.receipts", "concerns.search"} <= names


@pytest.mark.parametrize("path", domain_modules(), ids=lambda path: path.stem)
def test_a_domain_module_reads_no_request_state(path):
    tree = ast.parse(path.read_text())
    imported = {alias.asname or alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module == "flask"
                for alias in node.names}
    assert imported & REQUEST_STATE == set()


@pytest.mark.parametrize("path", domain_modules(), ids=lambda path: path.stem)
def test_a_domain_function_takes_no_form(path):
    tree = ast.parse(path.read_text())
    takes_forms = [
        f"{node.name}({argument.arg})"
        for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for argument in [*node.args.args, *node.args.kwonlyargs]
        if argument.annotation is not None and "Form" in ast.unparse(argument.annotation)
        or argument.arg == "form"
    ]
    assert takes_forms == []
