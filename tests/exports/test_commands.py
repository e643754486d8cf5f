"""``ideabox export``, run as a real process: the same files as the API."""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl

from ideabox.exports.formats import write_file
from tests.exports.scenarios import MONTH, many
from tests.exports.test_golden import GOLDEN


async def test_export_writes_the_same_files_as_the_api(client, db, run_cli, tmp_path: Path):
    await many(client, db)
    for fmt, golden in (("csv", "many.csv"), ("csv-excel", "many.excel.csv"),
                        ("json", "many.json")):
        target = tmp_path / f"out-{fmt}"
        code, out, err = await run_cli("export", "--month", MONTH, "--purpose", "mange",
                                       "--format", fmt, "-o", str(target))
        assert code == 0, err
        assert out == f"wrote 8 idea(s) to {target}\n"
        assert "8/8" in err  # the progress bar, on standard error
        assert target.read_bytes() == (GOLDEN / golden).read_bytes(), fmt

    target = tmp_path / "top.xlsx"
    code, _, err = await run_cli("export", "--month", MONTH, "--format", "xlsx", "-o",
                                 str(target))
    assert code == 0, err
    made = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active
    golden = openpyxl.load_workbook(GOLDEN / "many.xlsx").active
    assert list(made.iter_rows(values_only=True)) == list(golden.iter_rows(values_only=True))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out-csv", "out-csv-excel", "out-json", "top.xlsx"]  # no partial files left


async def test_a_month_without_a_promotion_writes_nothing(client, db, run_cli, tmp_path: Path):
    await many(client, db)
    target = tmp_path / "nothing.csv"
    code, _, err = await run_cli("export", "--month", "2026-08", "-o", str(target))
    assert code == 1
    assert "No promotion of 2026-08 of any purpose is on record" in err
    assert not target.exists()
    code, _, err = await run_cli("export", "--month", "08-2026", "-o", str(target))
    assert code == 2 and "--month" in err
    code, _, err = await run_cli("export", "--month", "0000-01", "-o", str(target))
    assert code == 2 and "must be a month from 2000-01 to 9998-12" in err
    assert not target.exists()


async def test_an_exported_file_gets_the_usual_permissions(tmp_path):
    async def no_rows():
        return
        yield

    target = tmp_path / "top.csv"
    umask = os.umask(0o022)
    try:
        await write_file(no_rows(), "csv", target)
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644
