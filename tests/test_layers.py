"""The layers hold (README, "Layout"): the import-linter contracts in pyproject.toml
are kept, and no module imports, through any chain, a module that imports it back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

PROJECT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=PROJECT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph("ideabox")
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def walk(module: str) -> None:
        state[module] = 1
        path.append(module)
        for imported in sorted(imports.get(module, ())):
            if state.get(imported) == 1:
                cycles.append([*path[path.index(imported):], imported])
            elif imported in imports and imported not in state:
                walk(imported)
        path.pop()
        state[module] = 2

    for module in sorted(imports):
        if module not in state:
            walk(module)
    assert cycles == [], [" -> ".join(c) for c in cycles]
