"""The working context: the unit and period the user is looking at, kept in the session. A
`?period=` in the URL sets the period for that page (a link to 2022's figures shows 2022,
whatever the working period)."""

import datetime

from gongxiao.core import scoping
from gongxiao.core.periods import parse_period


class WorkingContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.working_unit = None
        request.working_period = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._attach(request, user)
        return self.get_response(request)

    def _attach(self, request, user):
        units = scoping.units_for(user)
        unit_id = request.session.get("gx_unit")
        unit = units.filter(pk=unit_id).first() if unit_id else None
        if unit is None:
            unit = units.order_by("depth", "path").first()
        request.working_unit = unit
        code = request.session.get("gx_period") or str(datetime.date.today().year)
        if asked := request.GET.get("period"):
            try:
                request.working_period = parse_period(asked)
                return
            except ValueError:
                pass  # the page says what is wrong with it; the working period stands
        try:
            request.working_period = parse_period(code)
        except ValueError:
            request.working_period = parse_period(str(datetime.date.today().year))
