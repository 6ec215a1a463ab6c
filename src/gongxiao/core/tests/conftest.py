"""The fuzz run (test_fuzz_api.py) is left out unless asked for with `-m fuzz` (scripts/fuzz,
and its own step in CI): it takes minutes, the rest of the suite seconds."""

import sys


def pytest_collection_modifyitems(config, items):
    if "fuzz" in (config.option.markexpr or ""):
        return
    kept = [item for item in items if item.get_closest_marker("fuzz") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def pytest_terminal_summary(terminalreporter):
    module = sys.modules.get("gongxiao.core.tests.test_fuzz_api")
    if module is None or not module.STATUSES:
        return
    statuses = module.STATUSES
    errors = [(label, status) for label, status in statuses if status >= 500]
    operations = len({label for label, _status in statuses})
    terminalreporter.write_line(
        f"fuzz: {len(statuses)} cases over {operations} API operations, {len(errors)} server errors"
    )
    for label, status in sorted(set(errors)):
        terminalreporter.write_line(f"fuzz: {status} from {label}")
