from django.test import Client

from gongxiao.core.models import Notification
from gongxiao.core.notifications import notify, unread_count
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


def test_a_notice_is_sent_once_per_key(federation):
    user = user_with(Role.LEADER, federation.county_a)
    assert notify(recipient=user, key="k1", title="标题") is not None
    assert notify(recipient=user, key="k1", title="标题") is None
    assert unread_count(user) == 1


def test_the_centre_shows_only_ones_own_and_marks_read(federation):
    me = user_with(Role.LEADER, federation.county_a)
    other = user_with(Role.LEADER, federation.county_b)
    mine = notify(recipient=me, key="a", title="我的通知", url="/ledgers/org/people/")
    theirs = notify(recipient=other, key="b", title="别人的通知")
    c = Client()
    c.force_login(me)
    page = c.get("/notifications/").content.decode()
    assert "我的通知" in page and "别人的通知" not in page
    assert 'id="unread-count">1<' in page
    assert c.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    resp = c.post(f"/notifications/{mine.pk}/open/")
    assert resp["Location"] == "/ledgers/org/people/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at and not theirs.read_at
    notify(recipient=me, key="c", title="再一条")
    c.post("/notifications/read-all/")
    assert unread_count(me) == 0 and unread_count(other) == 1


def test_an_outside_link_is_not_followed(federation):
    me = user_with(Role.LEADER, federation.county_a)
    n = Notification.objects.create(recipient=me, key="x", title="t", url="https://evil.example/")
    c = Client()
    c.force_login(me)
    assert c.post(f"/notifications/{n.pk}/open/")["Location"] == "/notifications/"


def test_notices_are_grouped_and_filtered_by_kind_and_read_by_kind(federation):
    from gongxiao.core.notifications import register_kind

    register_kind("t_alpha", "甲类通知")
    me = user_with(Role.LEADER, federation.county_a)
    notify(recipient=me, key="a1", title="通知甲一", kind="t_alpha")
    notify(recipient=me, key="a2", title="通知甲二", kind="t_alpha")
    notify(recipient=me, key="b1", title="其他一")
    c = Client()
    c.force_login(me)
    page = c.get("/notifications/").content.decode()
    assert 'data-kind="t_alpha">甲类通知' in page and "其他" in page
    only = c.get("/notifications/", {"kind": "t_alpha"}).content.decode()
    assert "通知甲一" in only and "通知甲二" in only and "其他一" not in only
    c.post("/notifications/read-all/", {"kind": "t_alpha"})
    assert unread_count(me) == 1
    assert "其他一" in c.get("/notifications/", {"unread": "1"}).content.decode()
    assert "通知甲一" not in c.get("/notifications/", {"unread": "1"}).content.decode()
    # An unknown kind in the address shows everything rather than failing.
    assert c.get("/notifications/", {"kind": "nonsense"}).status_code == 200


def test_one_unread_notice_per_item_along_the_ladder(federation):
    import datetime

    from gongxiao.org.tests.factories import PersonFactory, UserFactory
    from gongxiao.rectification.services import run_escalation
    from gongxiao.rectification.tests.factories import ItemFactory

    owner = UserFactory(person=PersonFactory(unit=federation.a1))
    deadline = datetime.date(2026, 12, 5)
    ItemFactory(
        unit=federation.a1,
        found_date=datetime.date(2026, 3, 1),
        deadline=deadline,
        responsible_person=owner.person,
    )
    run_escalation(today=deadline - datetime.timedelta(days=3), remind_days=7)
    assert unread_count(owner) == 1
    run_escalation(today=deadline + datetime.timedelta(days=2), remind_days=7, escalate_after=30)
    # The overdue notice replaces the reminder: one unread notice about the item, both kept.
    assert unread_count(owner) == 1
    kinds = set(Notification.objects.filter(recipient=owner).values_list("kind", flat=True))
    assert kinds == {"reminder", "overdue"}
    unread = Notification.objects.get(recipient=owner, read_at__isnull=True)
    assert unread.kind == "overdue"
