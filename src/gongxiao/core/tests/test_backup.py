"""`gongxiao backup` and `gongxiao restore`: rows of every ledger, uploaded files and seals
come back equal in an empty second instance (a second SQLite file, or a second PostgreSQL
database), verify-seals is clean there, and a tampered sealed record is reported after a
restore. A restore refuses an instance that is not empty and an archive that was altered."""

import hashlib
import io
import json
import tarfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import FileField
from django.test import override_settings

from gongxiao.core.backup import BackupError, default_method, restore
from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.testing import row_factory
from gongxiao.decisions import services as decisions
from gongxiao.decisions.tests.conftest import Board

pytestmark = pytest.mark.django_db(transaction=True)


def _populate(f, media_root: Path, anchors: Path):
    """Two rows of every ledger in two counties, a file on every file field of a ledger, and
    a sealed meeting with an amended record."""
    for ledger in all_ledgers():
        make = row_factory(ledger.model)
        rows = [make(f.a1), make(f.b1)]
        for field in ledger.model._meta.get_fields():
            if isinstance(field, FileField):
                getattr(rows[0], field.name).save(
                    f"附件-{ledger.model._meta.model_name}.txt",
                    ContentFile(f"{ledger.key} 佐证".encode()),
                    save=False,
                )
                type(rows[0])._base_manager.filter(pk=rows[0].pk).update(
                    **{field.name: getattr(rows[0], field.name).name}
                )
    board = Board(f)
    board.all_agree()
    decisions.seal_meeting(meeting=board.meeting, user=board.secretary)
    decisions.amend(meeting=board.meeting, user=board.secretary, text="第1项议题金额应为120万元")
    # The seal and the amendment each appended their anchor.
    assert anchors.read_text(encoding="utf-8").count("\n") == 2
    assert any(media_root.rglob("*.txt"))
    return board


def _state(media_root: Path, anchors: Path) -> dict:
    """Every row of every Gongxiao model (and the users' tokens), every uploaded file."""
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in {
            "core",
            "org",
            "decisions",
            "rectification",
            "supervision",
            "reports",
            "authtoken",
        }:
            rows[model._meta.label] = list(model._base_manager.order_by("pk").values())
    files = {
        p.relative_to(media_root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(media_root.rglob("*"))
        if p.is_file()
    }
    return {"rows": rows, "files": files, "anchors": anchors.read_bytes()}


@contextmanager
def _empty_instance(tmp_path: Path):
    """Point the default connection at an empty second database, and MEDIA_ROOT and the seal
    anchors at empty places, for the time of the block."""
    saved_raw, name = connection.connection, connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        second = f"{name}_restore"
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{second}"')
            cur.execute(f'CREATE DATABASE "{second}"')
    else:
        second = str(tmp_path / "restored.sqlite3")
    # Keep the first database's connection aside, open (an in-memory test database lives only
    # as long as it does).
    connection.connection = None
    connection.settings_dict["NAME"] = second
    media = tmp_path / "media-restored"
    try:
        with override_settings(MEDIA_ROOT=media, GONGXIAO_SEAL_ANCHORS=tmp_path / "anchors-2"):
            yield media, tmp_path / "anchors-2"
    finally:
        if connection.connection is not None:
            connection.connection.close()
        connection.connection = saved_raw
        connection.settings_dict["NAME"] = name
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{second}" WITH (FORCE)')


@pytest.fixture
def instance(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGXIAO_SEAL_ANCHORS = tmp_path / "anchors"
    return settings.MEDIA_ROOT, settings.GONGXIAO_SEAL_ANCHORS


def _round_trip(federation, instance, tmp_path, method=None):
    media, anchors = instance
    board = _populate(federation, media, anchors)
    before = _state(media, anchors)
    archive = tmp_path / "backup.tar.gz"
    args = ["backup", "-o", str(archive)] + (["--method", method] if method else [])
    call_command(*args)

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["tables"]["decisions_seal"] == 2
    assert manifest["tables"]["org_unit"] == len(before["rows"]["org.Unit"]) >= 7
    assert (
        manifest["files"]["anchors/anchors"]["sha256"]
        == hashlib.sha256(anchors.read_bytes()).hexdigest()
    )
    assert sum(1 for n in manifest["files"] if n.startswith("media/")) == len(before["files"])

    with _empty_instance(tmp_path) as (media2, anchors2):
        call_command("restore", str(archive))
        after = _state(media2, anchors2)
        for label, rows in before["rows"].items():
            assert after["rows"][label] == rows, label
        assert after["files"] == before["files"]
        assert after["anchors"] == before["anchors"]
        call_command("verify-seals")  # clean: no SystemExit

        # A sealed record changed behind the application's back, after the restore.
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE decisions_statement SET position = %s WHERE person_id = %s",
                ["disagree", board.members[0].pk],
            )
        with pytest.raises(SystemExit) as exit_:
            call_command("verify-seals")
        assert exit_.value.code == 1
    return archive


def test_backup_restores_every_ledger_file_and_seal_into_an_empty_instance(
    federation, instance, tmp_path, capsys
):
    _round_trip(federation, instance, tmp_path)
    out = capsys.readouterr().out
    assert f"({default_method()}," in out
    assert "BROKEN" in out


def test_the_dumpdata_method_round_trips_too(federation, instance, tmp_path):
    _round_trip(federation, instance, tmp_path, method="dumpdata")


def test_restore_refuses_a_non_empty_instance(federation, instance, tmp_path):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive))
    with pytest.raises(CommandError, match="empty instance only"):
        call_command("restore", str(archive))


def test_restore_refuses_an_altered_archive_before_writing(federation, instance, tmp_path):
    media, anchors = instance
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "a.txt").write_bytes(b"original")
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "-o", str(archive))
    # Rewrite the archive with one media file changed and the manifest as it was.
    altered = tmp_path / "altered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(altered, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name == "media/evidence/a.txt":
                data = b"tampered"
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with _empty_instance(tmp_path) as (media2, _):
        with pytest.raises(BackupError, match="sha256"):
            restore(altered)
        assert not media2.exists()
        assert "org_unit" not in connection.introspection.table_names()
