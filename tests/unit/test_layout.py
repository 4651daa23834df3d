"""Rules of docs/architecture.md that import-linter cannot see: no module reaches into another's private names,
nothing test-only ships in the layer, and no check in shipped code relies on `assert` (gone under `python -O`)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "madoguchi" / "python"
SHIPPED = [*LAYER.rglob("*.py"), *(ROOT / "functions").rglob("*.py")]


def _module(path: Path) -> str:
    return ".".join(path.relative_to(LAYER).with_suffix("").parts) if path.is_relative_to(LAYER) else ""


def test_no_module_imports_another_modules_private_names() -> None:
    offences = []
    for path in SHIPPED:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module != _module(path):
                offences += [
                    f"{path.relative_to(ROOT)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert offences == []


def test_the_layer_ships_no_fakes_and_no_demo_history() -> None:
    offences = []
    for path in LAYER.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offences += [
            f"{path.relative_to(ROOT)}: {n.name}"
            for n in ast.walk(tree)
            if isinstance(n, ast.ClassDef) and n.name.startswith("Memory")
        ]
        offences += [
            f"{path.relative_to(ROOT)}: imports {n.module}"
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith(("tests", "infra"))
        ]
    assert offences == []


def test_shipped_code_checks_without_assert() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{n.lineno}"
        for path in SHIPPED
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(n, ast.Assert)
    ]
    assert offences == []
