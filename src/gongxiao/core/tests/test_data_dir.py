"""The data folder of a source checkout is its var/, whichever folder a command starts in: a
command run inside the package once left a database file in src/gongxiao/var/."""

import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]


def test_a_command_started_inside_the_package_keeps_its_data_in_the_checkouts_var():
    env = {k: v for k, v in os.environ.items() if k not in {"GONGXIAO_DATA_DIR", "DATABASE_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "gongxiao.config.settings.base"
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from gongxiao.config.settings import base; print(base.DATA_DIR)"],
        cwd=PACKAGE,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(proc.stdout.strip()) == PACKAGE.parents[1] / "var"
