"""Chain heads printed where they leave the database: the sealed minutes (page and Word) and the
filing lists (page, Excel, Word) sent to the supervising body; and the anchors file written once
a seal commits, never for one rolled back."""

import io
import json

import pytest
from django.db import transaction
from django.test import Client
from docx import Document

from gongxiao.core.tests.helpers import read_xlsx, response_bytes
from gongxiao.decisions import anchors, services
from gongxiao.decisions.filing import seal_head_lines
from gongxiao.decisions.models import Seal
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


@pytest.fixture
def sealed(board):
    board.all_agree()
    services.seal_meeting(meeting=board.meeting, user=board.secretary)
    services.amend(meeting=board.meeting, user=board.secretary, text="更正一处笔误")
    return board


def _head(unit):
    return Seal.objects.filter(unit=unit).order_by("-position").first()


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_sealed_minutes_page_and_word_carry_the_chain_head(sealed):
    head = _head(sealed.meeting.unit)
    c = _client(sealed.secretary)
    html = c.get(f"/ledgers/decisions/meetings/{sealed.meeting.pk}/").content.decode()
    assert 'id="chain-head"' in html and head.digest in html and "共2个封存" in html
    doc = Document(
        io.BytesIO(response_bytes(c.get(f"/decisions/meetings/{sealed.meeting.pk}/minutes.docx")))
    )
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "会议记录" in doc.paragraphs[0].text
    assert f"共2个，末位摘要 {head.digest}" in text
    assert "更正一处笔误" in text and sealed.matter.title in text


def test_an_unsealed_meeting_has_no_chain_head(board):
    c = _client(board.secretary)
    html = c.get(f"/ledgers/decisions/meetings/{board.meeting.pk}/").content.decode()
    assert 'id="chain-head"' not in html
    doc = Document(
        io.BytesIO(response_bytes(c.get(f"/decisions/meetings/{board.meeting.pk}/minutes.docx")))
    )
    assert "尚未封存" in "\n".join(p.text for p in doc.paragraphs)


def test_the_filing_lists_carry_the_chain_heads(sealed):
    f = sealed.f
    head = _head(f.county_a)
    user = user_with(Role.LEADER, f.county_a)
    c = _client(user)
    c.post("/context/", {"unit": f.county_a.pk, "period": str(sealed.meeting.date.year)})
    line = f"{f.county_a.name}：封存2个，末位摘要 {head.digest}"
    assert line in c.get("/decisions/filing/").content.decode()
    rows = read_xlsx(response_bytes(c.get("/decisions/filing.xlsx")))
    cells = [v for r in rows for v in r if v]
    assert line in cells and any(str(v).startswith("封存链头") for v in cells)
    assert rows[2][4] == sealed.matter.title  # the list itself is where it was
    doc = Document(io.BytesIO(response_bytes(c.get("/decisions/filing.docx"))))
    assert line in [p.text for p in doc.paragraphs]


def test_a_filing_list_shows_only_heads_of_units_the_user_may_file(sealed):
    f = sealed.f
    assert len(seal_head_lines(user_with(Role.LEADER, f.county_a), f.county_a)) == 2
    assert len(seal_head_lines(user_with(Role.LEADER, f.city), f.city)) == 2
    assert seal_head_lines(user_with(Role.LEADER, f.county_b), f.county_b) == []


@pytest.mark.django_db(transaction=True)
def test_the_anchor_is_written_when_the_seal_commits_and_not_when_it_rolls_back(
    federation, settings, tmp_path, monkeypatch
):
    from gongxiao.decisions.tests.conftest import REAL_AFTER_COMMIT, Board

    # The real after_commit, not the immediate one the other tests use.
    monkeypatch.setattr(anchors, "after_commit", REAL_AFTER_COMMIT)
    path = settings.GONGXIAO_SEAL_ANCHORS
    board = Board(federation)
    board.all_agree()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        services.seal_meeting(meeting=board.meeting, user=board.secretary)
        assert not path.exists()  # not before the commit
        raise Undo
    assert not Seal.objects.exists() and not path.exists()
    seal = services.seal_meeting(meeting=board.meeting, user=board.secretary)
    [line] = [json.loads(x) for x in path.read_text().splitlines()]
    assert line["unit"] == seal.unit_id and line["count"] == 1 and line["digest"] == seal.digest
    assert services.verify_seals() == []
