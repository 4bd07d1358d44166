"""The direction of dependencies between the apps: the editor is a document service that
knows nothing of rooms or the question bank, and the bank knows nothing of rooms."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package -> the packages it must never import (at the top of a module or inside a function)
NEVER = {
    "editor": {"rooms", "questions", "runner"},
    "questions": {"rooms", "editor"},
    "relay": {"rooms", "editor", "questions", "runner"},
    # rooms call the runner; the runner reports back through settings.RUNNER_REPORTER
    "runner": {"rooms", "editor"},
}


def imports_of(path: Path) -> set[str]:
    """Every top-level package a module imports, wherever the import statement is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(NEVER))
def test_a_package_never_imports_what_depends_on_it(package):
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules, f"no modules under {package}/"
    wrong = {
        str(path.relative_to(ROOT)): sorted(imports_of(path) & NEVER[package]) for path in modules
    }
    assert {path: names for path, names in wrong.items() if names} == {}


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from rooms.models import Room\n    import questions.models\n")
    assert imports_of(module) == {"rooms", "questions"}
