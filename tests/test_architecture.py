"""The layers of docs/DESIGN.md hold: the import contract, no cycles, no hidden imports."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "src" / "tripplan"


def test_import_contract() -> None:
    """import-linter's contracts in pyproject.toml: one-way layers, a model without network."""
    beside = Path(sys.executable).with_name("lint-imports")  # the environment's own first
    command = str(beside) if beside.exists() else shutil.which("lint-imports") or "lint-imports"
    result = subprocess.run(
        [command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_import_cycles() -> None:
    """Within a layer too: no module reaches itself through the modules it imports."""
    graph = grimp.build_graph("tripplan")
    modules = sorted(m for m in graph.modules if m.startswith("tripplan."))
    cycles = [
        module
        for module in modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("tripplan.")
        and graph.find_shortest_chain(importer=imported, imported=module) is not None
    ]
    assert cycles == []


def _function_imports() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (
                    node.level > 0 or (node.module or "").split(".")[0] == "tripplan"
                ):
                    found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_package_import_inside_a_function() -> None:
    """Only third-party modules may be imported late (to keep ``import tripplan`` light); an
    import of the package's own modules inside a function would hide a crossed layer."""
    assert _function_imports() == []


def test_modules_stay_small() -> None:
    """One responsibility per module: none grows past ~400 lines of code."""
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.glob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 450} == {}
