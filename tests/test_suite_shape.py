"""The suite's own shape: tests/reporting/ mirrors the reporting packages, and the cast of named
people lives in tests/conftest.py alone (no fixture module imported with `*`, no second alice)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent
REPORTING = ROOT.parent / "reporting"
CAST = {"alice", "hana", "bob", "sam", "rita", "leo", "yann", "world", "scenario"}
WIRING = {"models", "migrations", "management", "templatetags", "__pycache__"}


def _fixtures_defined(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if "fixture" in ast.unparse(target):
                    names.add(node.name)
    return names


def test_every_reporting_package_has_its_test_package():
    packages = {p.name for p in REPORTING.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - WIRING
    mirrored = {p.name for p in (ROOT / "reporting").iterdir() if (p / "__init__.py").exists()}
    assert packages - mirrored == set()


def test_no_test_module_star_imports_and_only_the_conftest_casts_people():
    offenders = []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names) and node.module != "greenplan.settings":
                offenders.append(f"{path.relative_to(ROOT)}: from {node.module} import *")
        if path != ROOT / "conftest.py":
            for name in _fixtures_defined(tree) & CAST:
                offenders.append(f"{path.relative_to(ROOT)}: defines fixture {name!r} (the cast is in tests/conftest.py)")
    assert offenders == []


def test_the_shape_checks_catch_a_second_cast(tmp_path):
    tree = ast.parse("import pytest\n@pytest.fixture\ndef alice():\n    pass\n@pytest.fixture(autouse=True)\ndef x():\n    pass\n")
    assert _fixtures_defined(tree) == {"alice", "x"}
