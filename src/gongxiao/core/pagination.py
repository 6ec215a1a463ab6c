"""The list pages' and the API's paginator, below both (core/views.py and core/rest.py)."""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
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

    def page(self, number):
        """The page's rows in two steps when the list has more than one page: the ids of the
        page first (a walk over the ledger's indexes, in its order, that the database can
        answer from an index covering the order and the unit, without reading a row), then
        those rows by id. One query for the rows would read every row it walks past."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return Page(self._rows(bottom, top), number, self)

    def _rows(self, bottom: int, top: int):
        rows = self.object_list
        if (
            not isinstance(rows, QuerySet)
            or self.count <= self.per_page
            or rows.query.combinator
            or rows.query.distinct_fields
            or getattr(rows, "_fields", None) is not None  # values(): nothing to defer
        ):
            return rows[bottom:top]
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        # The same queryset (scope, filters, joins, prefetches), narrowed to the page's ids.
        found = {obj.pk: obj for obj in rows.order_by().filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]
