"""County A's 2023 in the style of seed 004: the work summary's 信用网络 sentences print the
figures computed from the rows, amounts in 亿元 exactly as the sentence asks, and each figure's
working paper lists exactly the rows behind it."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import translation

from gongxiao.agri.tests.factories import make_member
from gongxiao.credit import services
from gongxiao.credit.tests import factories as f
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.reports import placeholders, workpapers
from gongxiao.reports.models import ReportDraft
from gongxiao.reports.services import create_draft

D = datetime.date
W = Decimal


@pytest.fixture
def year(federation):
    rater = user_with(Role.SERVICE, federation.county_a, username="rater")
    approver = user_with(Role.SERVICE, federation.county_a, username="approver")
    card = f.builtin_card(federation.county_a)
    rows: dict[str, set] = {}

    def keep(key, *objs):
        rows.setdefault(key, set()).update(o.pk for o in objs)

    rated = []
    for total in (85, 72, 61):
        member = make_member(federation.a1, kind="farmer", joined_on=D(2020, 1, 1))
        r = f.make_rating(federation.a1, member=member, scorecard=card, year=2023)
        scores = {}
        left = W(total)
        for code, most in [
            ("h1", 10),
            ("h2", 10),
            ("h3", 10),
            ("h4", 10),
            ("f1", 20),
            ("f2", 15),
            ("f3", 15),
            ("c1", 10),
        ]:
            scores[code] = str(min(left, W(most)))
            left -= min(left, W(most))
        services.score_rating(rating=r, user=rater, on=D(2023, 6, 1), scores=scores)
        rated.append(services.approve_rating(rating=r, user=approver, on=D(2023, 6, 2)))
    # Scored but not approved: not counted.
    f.scored_rating(federation.a2, year=2023)
    keep("credit.ratings.rated", *rated)

    g1 = f.make_guarantee(federation.a1, amount=W(100), start_date=D(2023, 3, 1))
    g2 = f.make_guarantee(federation.a2, amount=W(200), sector="other", start_date=D(2023, 5, 1))
    g3 = f.make_guarantee(federation.a1, amount=W("1234.5678"), start_date=D(2023, 8, 1))
    done = f.make_guarantee(federation.a1, amount=W(70), start_date=D(2022, 8, 1))
    old = f.make_guarantee(federation.a1, amount=W(30), start_date=D(2022, 9, 1))  # still in force
    f.make_guarantee(federation.b1, amount=W(999), start_date=D(2023, 3, 1))
    services.release(guarantee=done, user=rater, on=D(2023, 2, 1))  # last year's, released
    services.release(guarantee=g1, user=rater, on=D(2023, 12, 20))
    services.compensate(guarantee=g2, user=rater, on=D(2023, 11, 1), amount=W(150))
    services.release(guarantee=g3, user=rater, on=D(2023, 12, 1), amount=W("234.5678"))
    keep("credit.guarantees.arranged", g1, g2, g3)
    keep("credit.guarantees.amount", g1, g2, g3)
    keep("credit.guarantees.outstanding", g3, old)
    keep("credit.guarantees.balance", g3, old)

    a = f.make_agreement(federation.county_a, credit_line=W(800), signed_on=D(2023, 5, 13))
    loans = [
        f.make_loan(federation.a1, amount=W(250), lent_on=D(2023, 6, 1)),
        f.make_loan(federation.a2, amount=W("150.5"), lent_on=D(2023, 7, 1)),
    ]
    lines = [f.make_credit_line(federation.a1, amount=W(60), granted_on=D(2023, 4, 1))]
    keep("credit.agreements.signed", a)
    keep("credit.loans.amount", *loans)
    keep("credit.credit_lines.amount", *lines)
    return rows


def test_the_credit_sentences_print_the_figures_of_the_rows(federation, year):
    leader = user_with(Role.LEADER, federation.county_a)
    draft = create_draft(
        draft=ReportDraft(unit=federation.county_a, kind="work_summary", period="2023", title=""),
        user=leader,
    )
    with translation.override("zh-hans"):
        doc = placeholders.build(draft, leader)
    text = "".join(b.text for b in doc.blocks)
    start = text.index("全力深化信用网络")
    sentence = text[start : text.index("全面提升数字水平")]
    assert (
        "截至2023年12月31日已对3家会员单位开展信用等级评定，其中AAA级1家、AA级1家、A级1家，"
        "评定信用村（镇）1个。" in sentence
    ), sentence
    # 100 + 200 + 1234.5678 万元 arranged: 0.15345678 亿元, not rounded.
    assert (
        "2023年累计办理担保业务3笔（其中涉农担保2笔），累计担保金额0.15345678亿元"
        "（涉农担保金额0.13345678亿元）" in sentence
    ), sentence
    # In force at the end: G3's 1000 and last year's 30; G1 released, G2 compensated.
    assert (
        "截至2023年12月31日在保笔数2笔（其中涉农担保2笔），在保余额0.103亿元（涉农担保金额0.103亿元）。"
        in sentence
    ), sentence
    assert "与银行签订“三位一体”合作协议1份，意向贷款800万元；" in sentence
    assert "为会员授信1笔、60万元，落实贷款2笔、400.5万元。" in sentence
    assert not [e for e in doc.errors if "credit" in e]

    by_key = {}
    for u in doc.figures:
        if u.metric.key.startswith("credit.") and not u.filters:
            by_key[u.metric.key] = u
    for key, pks in year.items():
        assert set(by_key[key].rows.values_list("pk", flat=True)) == pks, key
    listed = workpapers.write(doc, draft, leader, io.BytesIO())
    for key, pks in year.items():
        assert listed[by_key[key].id] == len(pks), key
