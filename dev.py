#!/usr/bin/env python3
"""The two commands, on any machine with Python 3.11+:

    python3 dev.py serve     run ideabox (embedded PostgreSQL and Redis unless URLs are set)
    python3 dev.py test      run the test suite
    python3 dev.py demo      run ideabox with the demo municipality (seeded on first use)

On first use (and whenever pyproject.toml changes) this makes ``.venv`` and installs
ideabox into it with its test and development tools. Anything else is passed to the
``ideabox`` command: ``python3 dev.py migrate``, ``python3 dev.py seed --demo`` …
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".ideabox-installed"


def ensure_environment() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    print("dev.py: installing ideabox and its tools into .venv", file=sys.stderr)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", "-e", ".[dev]"], cwd=ROOT, check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        print("ideabox needs Python 3.11 or newer", file=sys.stderr)
        return 2
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "test":
        args = [str(BIN / "python"), "-m", "pytest", *rest]
    elif command == "demo":
        # Seed an empty database; a database holding the demo already is left as it is
        # (and one holding anything else is refused, with the reason). Then serve it.
        # The seed prints where to sign in: tell it the address serve will use.
        port = rest[rest.index("--port") + 1] if "--port" in rest[:-1] else "8000"
        os.environ.setdefault("IDEABOX_BASE_URL", f"http://127.0.0.1:{port}")
        seeded = subprocess.run([str(BIN / "ideabox"), "seed", "--demo", "--unless-seeded"],
                                cwd=ROOT, check=False)
        if seeded.returncode != 0:
            return seeded.returncode
        args = [str(BIN / "ideabox"), "serve", *rest]
    elif command == "lint":
        for tool in (["ruff", "check", "."], ["mypy"], ["lint-imports"]):
            found = subprocess.run([str(BIN / tool[0]), *tool[1:]], cwd=ROOT, check=False)
            if found.returncode:
                return found.returncode
        return 0
    else:
        args = [str(BIN / "ideabox"), command, *rest]
    os.chdir(ROOT)
    os.execv(args[0], args)  # replaces this process; signals reach the command directly
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
