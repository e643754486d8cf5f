"""Run a benchmark script under the project's virtualenv, making it first if needed (as
dev.py does), so a fresh clone needs nothing but Python. Imported before anything of
ideabox's, which is why it lives in a module of its own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def in_project_venv(script: str) -> None:
    """Return at once when ideabox is importable; otherwise re-run ``script`` under the
    project's virtualenv (this call then never returns)."""
    try:
        import ideabox  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(ROOT))
        import dev

        dev.ensure_environment()
        python = dev.BIN / "python"
        os.execv(python, [str(python), script, *sys.argv[1:]])
