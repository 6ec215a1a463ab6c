"""The checkout's own machinery: the data folder of a source checkout is its var/, whichever
folder a command starts in (a command run inside the package once left a database file in
src/gongxiao/var/), and the lock files pin every dependency pyproject.toml names."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
ROOT = PACKAGE.parents[1]


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


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


@pytest.mark.parametrize("lock,extra", [("runtime", None), ("test", "test"), ("bench", "bench")])
def test_every_dependency_is_pinned_with_hashes_in_its_lock_file(lock, extra):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    if extra:
        wanted |= {_name(r) for r in project["optional-dependencies"][extra]}
    text = (ROOT / "requirements" / f"{lock}.txt").read_text("utf-8")
    entries = re.findall(
        r"^([A-Za-z0-9._-]+)==\S+((?:[ ]*\\\n[ ]+--hash=sha256:[0-9a-f]{64})*)", text, re.M
    )
    pinned = {name.lower() for name, _ in entries}
    missing = sorted(wanted - pinned)
    assert not missing, f"not in requirements/{lock}.txt: {missing}; run scripts/lock"
    assert "setuptools" in pinned  # the build backend of the editable install
    unhashed = [name for name, hashes in entries if not hashes]
    assert not unhashed
