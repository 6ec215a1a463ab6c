from itertools import groupby

from django.utils.translation import get_language

from gongxiao.core import navigation as navigation_links
from gongxiao.core import scoping
from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.periods import period_choices

FIRST_YEAR_SECONDS = 600  # how long a session remembers the earliest year with data


def first_data_year(request=None) -> int | None:
    """The earliest year any ledger holds a row for (by its declared `date_field`), in one
    query over every ledger, remembered for the request and, ten minutes, in the session (an
    unindexed MIN over a large ledger is not for every page)."""
    import time

    if request is not None and hasattr(request, "_gx_first_year"):
        return request._gx_first_year
    session = getattr(request, "session", None)
    kept = session.get("gx_first_year") if session is not None else None
    if kept and kept[1] > time.time():
        request._gx_first_year = kept[0]
        return kept[0]
    from django.db.models import IntegerField, Min, Value

    firsts = [
        lg.model.objects.order_by()
        .values(g=Value(1, output_field=IntegerField()))
        .annotate(d=Min(lg.date_field))
        .values_list("d", flat=True)
        for lg in all_ledgers()
        if lg.date_field
    ]
    year = None
    if firsts:
        query = firsts[0].union(*firsts[1:], all=True).order_by() if firsts[1:] else firsts[0]
        dates = [d for d in query if d is not None]
        if dates:
            year = min(dates).year
    if request is not None:
        request._gx_first_year = year
    if session is not None:
        session["gx_first_year"] = [year, time.time() + FIRST_YEAR_SECONDS]
    return year


# The menu depends on the user's roles alone (can_any asks nothing else) and on the language
# it is sorted in: made once per process for each set of roles.
_MENUS: dict = {}


def _menu(user) -> list:
    key = (
        scoping.is_unrestricted(user),
        frozenset(role for _p, _u, role, _s in scoping._assignments(user)),
        get_language(),
        # Ledgers and links are registered at start; a test that adds one gets a new menu.
        len(all_ledgers()),
        len(navigation_links._links),
    )
    menu = _MENUS.get(key)
    if menu is None:
        menu = _MENUS[key] = _build_menu(user)
    return menu


def _build_menu(user) -> list:
    from gongxiao.org.roles import MODULES

    visible = [lg for lg in all_ledgers() if scoping.can_any(user, lg.module, "view")]
    order = list(MODULES)
    visible.sort(
        key=lambda lg: (
            order.index(lg.module) if lg.module in order else 99,
            str(lg.verbose_name_plural),
        )
    )
    from gongxiao.core.navigation import links_for

    nav = []
    for module, items in groupby(visible, key=lambda lg: lg.module):
        links = [lk for lk in links_for(module) if scoping.can_any(user, module, lk.action)]
        nav.append((MODULES.get(module, module), list(items), links))
    return nav


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = _menu(user)
    wu = getattr(request, "working_unit", None)
    # The top of the user's reach and two levels below (plus the unit being worked in): a
    # province's thousands of grassroots co-ops are reached through their county.
    reach = scoping.units_for(user)
    top = reach.order_by("depth").values_list("depth", flat=True).first() or 0
    shown = reach.filter(depth__lte=top + 2)
    if wu is not None:
        shown = shown | reach.filter(pk=wu.pk)
    units = list(shown.order_by("path").only("pk", "name", "depth")[:500])
    base_depth = min((u.depth for u in units), default=0)
    for u in units:
        u.indent = "\u3000" * (u.depth - base_depth)
    from gongxiao.core.notifications import unread_count

    return {
        "unread_notifications": unread_count(user),
        "nav_modules": nav,
        "context_units": units,
        "working_unit": wu,
        "working_period": getattr(request, "working_period", None),
        "period_options": period_choices(first_year=first_data_year(request)),
    }
