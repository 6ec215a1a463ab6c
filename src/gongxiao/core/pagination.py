"""The list pages' and the API's paginator, below both (core/views.py and core/rest.py)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` + 1 rows, so a list of a million rows never runs a full COUNT."""

    @property
    def cap(self) -> int:
        # Read at each use, so the setting (and a test's override of it) always applies.
        return settings.GONGXIAO_LIST_COUNT_CAP

    @cached_property
    def count(self):
        rows = self.object_list
        if hasattr(rows, "order_by"):
            rows = rows.order_by()  # a count needs no order: the database may stop early
        n = rows[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)
