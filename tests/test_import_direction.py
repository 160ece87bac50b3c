"""Dependencies run one way: `greenplan → reporting → tasks → agencies`, and inside `reporting`
from the wiring down to the core (`../shared/LAYOUT.md`). Every import counts, also one inside a
function or under `TYPE_CHECKING`: a deferred import still ties the two modules together, it only
hides the tie until run time.

The walker reads the source (AST), so it sees what a run would import without running anything.
It is tested on made-up modules too: an upward import and a cycle must both be caught.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("agencies", "tasks", "reporting", "greenplan")  # bottom to top
APP_RANK = {app: rank for rank, app in enumerate(APPS)}

# What each area of `reporting` may import besides itself. Anything at the top level of the package
# (admin, apps, jobs, urls, context_processors, management, templatetags) is wiring and may import
# every area; no area may import the wiring.
WIRING = "wiring"
REPORTING_MAY_IMPORT = {
    "models": set(),
    "reports": {"models"},
    "indicators": {"models", "reports"},
    "notices": {"models", "reports", "indicators"},
    "dashboards": {"models", "reports", "indicators"},
    "workbook": {"models", "reports", "indicators"},
    "province": {"models", "reports", "indicators", "dashboards"},
    "devdata": {"models", "reports", "indicators", "notices", "dashboards", "workbook", "province"},
    WIRING: {"models", "reports", "indicators", "notices", "dashboards", "workbook", "province", "devdata"},
}
# Each file of migrations is written by makemigrations and imports what the models name.
SKIPPED_DIRS = {"migrations", "__pycache__"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path, apps=APPS) -> dict[str, Path]:
    found = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            if SKIPPED_DIRS & set(path.relative_to(root).parts):
                continue
            found[module_name(path, root)] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `name` imports, wherever the import statement stands."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from a import b` imports the module a.b when there is one, else a name of a.
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # `import a.b.c` of a name inside a module
                target = target.rpartition(".")[0]
            if target and target != name and target.split(".")[0] in APP_RANK:
                found.add(target)
    return found


def import_graph(root: Path = ROOT, apps=APPS) -> dict[str, set[str]]:
    modules = project_modules(root, apps)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def reporting_area(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in REPORTING_MAY_IMPORT:
        return parts[1]
    return WIRING


def wrong_way(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        app = module.split(".")[0]
        for target in sorted(targets):
            target_app = target.split(".")[0]
            if APP_RANK[target_app] > APP_RANK[app]:
                found.append(f"{module} imports {target}: {app} is below {target_app}")
            elif app == target_app == "reporting":
                area, target_area = reporting_area(module), reporting_area(target)
                if area != target_area and target_area not in REPORTING_MAY_IMPORT[area]:
                    found.append(f"{module} imports {target}: reporting/{area} may not import reporting/{target_area}")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_no_import_runs_against_the_layering():
    assert wrong_way(import_graph()) == []


def test_no_module_imports_itself_back_through_others():
    assert cycles(import_graph()) == []


def test_reporting_keeps_only_wiring_at_its_top_level():
    top = sorted(p.name for p in (ROOT / "reporting").glob("*.py"))
    assert top == ["__init__.py", "admin.py", "apps.py", "context_processors.py", "jobs.py", "urls.py"]


# --- the walker itself, on made-up modules ---------------------------------------------------------


def _tree(tmp_path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for app in APPS:
        (tmp_path / app).mkdir(exist_ok=True)
        (tmp_path / app / "__init__.py").touch()
    return tmp_path


def test_the_walker_catches_a_deferred_upward_import_between_apps(tmp_path):
    root = _tree(tmp_path, {
        "agencies/models.py": "def f():\n    from tasks.models import Plan\n",
        "tasks/models.py": "from agencies.models import f\n",
    })
    graph = import_graph(root)
    assert wrong_way(graph) == ["agencies.models imports tasks.models: agencies is below tasks"]


def test_the_walker_catches_an_upward_import_inside_reporting_under_type_checking(tmp_path):
    root = _tree(tmp_path, {
        "reporting/reports/__init__.py": "",
        "reporting/reports/workflow.py": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..dashboards import selectors\n"),
        "reporting/dashboards/__init__.py": "",
        "reporting/dashboards/selectors.py": "from reporting.reports import workflow\n",
    })
    assert wrong_way(import_graph(root)) == [
        "reporting.reports.workflow imports reporting.dashboards.selectors: "
        "reporting/reports may not import reporting/dashboards"]


def test_the_walker_catches_a_cycle_made_through_a_deferred_import(tmp_path):
    root = _tree(tmp_path, {
        "reporting/notices/__init__.py": "",
        "reporting/notices/delivery.py": "def queue():\n    from reporting.notices import jobs\n",
        "reporting/notices/jobs.py": "from reporting.notices.delivery import queue\n",
        "reporting/notices/reminders.py": "from . import delivery\n",
    })
    graph = import_graph(root)
    assert wrong_way(graph) == []
    assert cycles(graph) == [["reporting.notices.delivery", "reporting.notices.jobs"]]


@pytest.mark.parametrize("statement", ["import reporting.jobs", "from reporting import jobs",
                                       "from reporting.jobs import send", "from .. import jobs"])
def test_the_walker_reads_every_form_of_import(tmp_path, statement):
    root = _tree(tmp_path, {
        "reporting/jobs.py": "def send():\n    pass\n",
        "reporting/notices/__init__.py": "",
        "reporting/notices/delivery.py": f"def queue():\n    {statement}\n",
    })
    assert import_graph(root)["reporting.notices.delivery"] == {"reporting.jobs"}
    assert wrong_way(import_graph(root)) == [
        "reporting.notices.delivery imports reporting.jobs: reporting/notices may not import reporting/wiring"]
