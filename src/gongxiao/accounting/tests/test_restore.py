"""A `dumpdata` backup restores posted vouchers as they were: the insert guards let the
restoring connection (core/appendonly.restoring) load a posted voucher and its lines, and
nothing else; the guards stay installed and a restored voucher stays frozen."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.serializers import serialize
from django.db import DatabaseError, IntegrityError, connection, transaction

from gongxiao.accounting import guards, services
from gongxiao.accounting.models import Voucher, VoucherLine
from gongxiao.core import appendonly

from .factories import make_book_in, posted_voucher


def test_the_guards_are_all_installed(db):
    assert guards.missing() == []


@pytest.mark.django_db
def test_a_posted_voucher_loads_only_in_a_restoring_session(federation, tmp_path):
    book = make_book_in(federation.a1)
    v = posted_voucher(federation.a1, book=book)
    fixture = tmp_path / "vouchers.json"
    fixture.write_text(serialize("json", [v, *v.lines.order_by("id")]), encoding="utf-8")
    with appendonly.flushing(connection):
        VoucherLine.objects.filter(voucher=v).delete()
        Voucher.objects.filter(pk=v.pk).delete()
    # An ordinary session: a voucher is entered as a draft, whatever the door.
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        call_command("loaddata", str(fixture), verbosity=0)
    assert not Voucher.objects.filter(pk=v.pk).exists()
    with appendonly.restoring(connection):
        call_command("loaddata", str(fixture), verbosity=0)
    restored = Voucher.objects.get(pk=v.pk)
    assert restored.status == "posted" and restored.lines.count() == 2
    # Restored, it is as frozen as before.
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Voucher.objects.filter(pk=v.pk).update(date=datetime.date(2024, 3, 1))
    # And outside the restore a line still cannot be added to it.
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        VoucherLine.objects.create(
            voucher=restored, account=restored.lines.first().account, debit=1, summary="x"
        )


@pytest.mark.django_db(transaction=True)
def test_a_dumpdata_backup_with_posted_vouchers_restores(federation, tmp_path, settings):
    from gongxiao.core.tests.test_backup import _empty_instance

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGXIAO_SEAL_ANCHORS = tmp_path / "anchors"
    book = make_book_in(federation.a1)
    v = posted_voucher(
        federation.a1, book=book, lines=[("1002", "321.00", "0"), ("5001", "0", "321.00")]
    )
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "-o", str(archive), "--method", "dumpdata")
    with _empty_instance(tmp_path):
        call_command("restore", str(archive))
        restored = Voucher.objects.get(pk=v.pk)
        assert restored.status == "posted" and restored.number == v.number
        assert guards.missing() == []
        tb = services.trial_balance(
            [restored.book], datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
        )
        assert tb.by_code()["1002"].closing_debit == D("321.00")
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            Voucher.objects.filter(pk=v.pk).update(attachments=9)
