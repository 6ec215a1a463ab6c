"""问题销号审批表: an item's record on one printable page and in Word — the problem, measures,
progress with evidence, the close-out request and the review — for whoever may see the item."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document

from gongxiao.core.tests.helpers import response_bytes
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification import services
from gongxiao.rectification.models import Measure


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def closed(cast):
    item = cast.item(title="仓库消防通道堆放杂物")
    Measure.objects.create(item=item, description="清理通道并设置标识")
    services.add_progress(
        item=item,
        user=cast.owner,
        text="已完成清理",
        files=[SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff\xe0" + b"0" * 64 + b"\xff\xd9")],
    )
    services.transition(item=item, step="request_close_out", user=cast.owner)
    services.transition(
        item=item, step="close_out", user=cast.leader, reason="经现场核查已整改到位"
    )
    item.refresh_from_db()
    return item


def test_the_record_page_is_the_form_in_the_official_words(cast, closed):
    c = _client(cast.leader)
    detail = c.get(f"/ledgers/rectification/items/{closed.pk}/").content.decode()
    assert f"/rectification/items/{closed.pk}/record/" in detail
    page = c.get(f"/rectification/items/{closed.pk}/record/").content.decode()
    assert "问题销号审批表" in page and "仓库消防通道堆放杂物" in page
    assert "清理通道并设置标识" in page and "已完成清理" in page and "现场照片.jpg" in page
    assert "同意销号。经现场核查已整改到位" in page
    assert f"审核人：{cast.leader.display_name()}" in page
    d = closed.closed_on
    assert f"{d.year}年{d.month}月{d.day}日" in page
    assert 'id="btn-print"' in page


def test_the_word_file_carries_the_same_record(cast, closed):
    resp = _client(cast.leader).get(f"/rectification/items/{closed.pk}/record.docx")
    assert resp.status_code == 200
    doc = Document(io.BytesIO(response_bytes(resp)))
    assert doc.paragraphs[0].text == "问题销号审批表"
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "仓库消防通道堆放杂物" in cells and "审核意见" in cells
    assert any("经现场核查已整改到位" in c for c in cells)
    assert any("现场照片.jpg" in c for c in cells)
    assert 'w:eastAsia="zh-CN"' in doc.styles.element.xml


def test_another_county_cannot_print_the_record(cast, closed):
    outsider = _client(user_with(Role.LEADER, cast.f.county_b))
    assert outsider.get(f"/rectification/items/{closed.pk}/record/").status_code == 404
    assert outsider.get(f"/rectification/items/{closed.pk}/record.docx").status_code == 404
    # Reading is not exporting: the Word file needs the export right.
    reader = _client(user_with(Role.READ_ONLY, cast.f.county_a))
    assert reader.get(f"/rectification/items/{closed.pk}/record/").status_code == 200
    assert reader.get(f"/rectification/items/{closed.pk}/record.docx").status_code == 404
