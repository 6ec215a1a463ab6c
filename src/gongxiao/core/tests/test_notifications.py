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
