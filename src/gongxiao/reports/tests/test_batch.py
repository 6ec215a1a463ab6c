"""compute_many and rollup_many give every figure exactly as compute() and rollup() do: for
every registered metric, over the demo federation, for units at each level and several periods,
for users of the whole federation and of one county."""

import contextlib

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongxiao.core import metrics, scoping
from gongxiao.core.periods import parse_period
from gongxiao.org.models import Unit, User
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


def _figures(user, units, periods):
    refs, expected = [], {}
    for key, metric in sorted(metrics._metrics.items()):
        for unit in units:
            for period in periods:
                # The subtree's figure, and the unit's own rows alone (a table's 本级 row).
                for filters in ({}, {metric.unit_field: unit.pk}):
                    ref = metrics.Ref.of(key, unit, period, filters)
                    refs.append(ref)
                    with contextlib.suppress(PermissionDenied):  # compute_many leaves it out
                        expected[ref] = metrics.compute(key, user, unit, period, filters).value
    return refs, expected


def test_the_batches_give_what_compute_and_rollup_give_for_every_metric(
    db, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.GONGXIAO_SEAL_ANCHORS = tmp_path / "seal-anchors.jsonl"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo")
    root = Unit.objects.get(parent=None)
    county = Unit.objects.get(code="XT-01")
    grassroots = Unit.objects.filter(parent=county).order_by("code").first()
    year = timezone.localdate().year
    periods = [parse_period(str(year)), parse_period(f"{year - 1}H2")]
    users = [
        user_with(Role.LEADER, root, username="batch_leader"),
        user_with(Role.DISCIPLINE, root, username="batch_discipline"),
        User.objects.get(username="yuhu_leader"),
    ]
    batched = 0
    for user in users:
        units = [root, county, grassroots] if user.username.startswith("batch") else [county]
        refs, expected = _figures(user, units, periods)
        found = metrics.compute_many(refs, user)
        assert {r: f.value for r, f in found.items()} == expected, user.username
        # The declared figures over the same rows (same model, same unit) share one query.
        declared = [r for r in found if metrics.get_metric(r.key).batchable]
        bases = {
            (metrics.get_metric(r.key).model, metrics.get_metric(r.key).unit_field, r.unit.pk)
            for r in declared
        }
        with CaptureQueriesContext(connection) as queries:
            metrics.compute_many(declared, user)
        assert len(queries) < 1.2 * len(bases) < len(declared) / 5
        assert any(v for v in expected.values())  # the demo's figures are not all zero
        for ref, figure in found.items():
            batched += figure.metric.batchable
            # The rows behind the figure are the rows compute() lists.
            rows = metrics.compute(ref.key, user, ref.unit, ref.period, dict(ref.filters)).rows
            assert set(figure.rows.values_list("pk", flat=True)) == set(
                rows.values_list("pk", flat=True)
            )
    assert batched > 200
    # Most metrics are declared, so a report takes them in a few queries.
    assert sum(m.batchable for m in metrics._metrics.values()) >= 100

    # rollup_many, with the counts over the same rows taken from its query (the demo is built
    # once: this is the same test).
    user, period = users[0], periods[0]
    keys = [
        k for k, m in sorted(metrics._metrics.items()) if scoping.can_any(user, m.module, "view")
    ]
    also = [metrics.Ref.of(k, root, period) for k in keys]
    counted: dict = {}
    columns = metrics.rollup_many(keys, user, root, period, also=also, found=counted)
    for key, column in zip(keys, columns, strict=True):
        single = metrics.rollup(key, user, root, period)
        assert [(r.unit, r.own, r.figure.value) for r in column] == [
            (r.unit, r.own, r.figure.value) for r in single
        ], key
    assert counted  # the counts over the same rows came with the roll-up
    for ref, figure in counted.items():
        assert figure.value == metrics.compute(ref.key, user, root, period).value, ref.key
