from itertools import groupby

from gongxiao.core import scoping
from gongxiao.core.ledgers import all_ledgers
from gongxiao.core.periods import period_choices


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
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
        "period_options": period_choices(),
    }
