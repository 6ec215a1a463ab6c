"""The working context: the unit and period the user is looking at, kept in the session."""

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
        try:
            request.working_period = parse_period(code)
        except ValueError:
            request.working_period = parse_period(str(datetime.date.today().year))
