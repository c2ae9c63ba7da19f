"""Rules every module of pipelines/ and sources/ keeps: it never changes the process environment
(settings travel as the `settings` resource, pipelines/settings.py), and it uses Dagster's public
API only (no `dagster._...` import, which any Dagster release may move)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MODULES = sorted(p for folder in ("pipelines", "sources") for p in (REPO / folder).rglob("*.py"))
ENVIRON_WRITES = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"}
OS_WRITES = {"putenv", "unsetenv"}


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def environment_writes(code: str) -> list[int]:
    """The lines that assign to, delete from or call a mutating method of os.environ, or call
    os.putenv / os.unsetenv."""
    lines = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Assign | ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        else:
            targets = []
        if any(isinstance(t, ast.Subscript) and _is_environ(t.value) for t in targets):
            lines.append(node.lineno)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, owner = node.func.attr, node.func.value
            if (method in ENVIRON_WRITES and _is_environ(owner)) or method in OS_WRITES:
                lines.append(node.lineno)
    return lines


def _private(module: str) -> bool:
    package, *parts = module.split(".")
    return package.startswith("dagster") and any(part.startswith("_") for part in parts)


def private_dagster_imports(code: str) -> list[str]:
    """`dagster._...` (or `dagster_dbt._...`) modules and names imported, or reached as
    `dagster._x` / `dg._x`."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _private(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found += [name for name in names if _private(name)]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and isinstance(node.value, ast.Name)
            and node.value.id in ("dagster", "dg")
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_modules_are_found():
    names = {p.relative_to(REPO).as_posix() for p in MODULES}
    assert {"pipelines/settings.py", "pipelines/refresh/plan.py", "sources/http.py"} <= names


@pytest.mark.parametrize(
    "code",
    [
        'os.environ["CITYDIP_HOME"] = "x"',
        'environ["DAGSTER_HOME"] = "x"',
        'os.environ.update({"A": "1"})',
        'os.environ.setdefault("DAGSTER_HOME", "x")',
        'del os.environ["A"]',
        'os.environ.pop("A", None)',
        'os.putenv("A", "1")',
    ],
)
def test_an_environment_write_is_detected(code: str):
    assert environment_writes(f"import os\n{code}\n") == [2]


def test_reading_the_environment_is_allowed():
    code = 'import os\nos.environ.get("A")\nos.environ["B"]\nenv = {**os.environ, "C": "1"}\n'
    assert environment_writes(code) == []


def offenders(rule) -> dict[str, list]:
    """Every module of pipelines/ and sources/ breaking `rule`, with what breaks it."""
    found = {p.relative_to(REPO).as_posix(): rule(p.read_text(encoding="utf-8")) for p in MODULES}
    return {module: where for module, where in found.items() if where}


def test_no_module_changes_the_environment():
    assert offenders(environment_writes) == {}


@pytest.mark.parametrize(
    "code",
    [
        "from dagster._core.definitions.data_version import StaleStatus",
        "import dagster._time",
        "from dagster._time import get_current_datetime",
        "from dagster_dbt._internal import x",
        "import dagster as dg\ndg._core",
    ],
)
def test_a_private_dagster_import_is_detected(code: str):
    assert private_dagster_imports(code)


def test_public_dagster_imports_are_allowed():
    code = (
        "import dagster as dg\nfrom dagster import AssetKey\nfrom dagster_dbt import dbt_assets\n"
    )
    assert private_dagster_imports(code) == []


def test_no_module_imports_private_dagster_apis():
    assert offenders(private_dagster_imports) == {}
