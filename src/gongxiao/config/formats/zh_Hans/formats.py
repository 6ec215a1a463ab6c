"""Date input in the forms people write them: 2026-11-01, 2026/11/1, 2026.11.1, 2026年11月1日.
Django's own zh_Hans list writes the last as "%Y年%n月%j日", which strptime does not know, so
"2026年11月1日" was refused (in forms) or silently ignored (in list filters). Everything else
comes from Django's locale files."""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-01, 2026-11-1
    "%Y/%m/%d",  # 2026/11/01
    "%Y.%m.%d",  # 2026.11.01
    "%Y年%m月%d日",  # 2026年11月1日
    "%Y年%m月%d号",  # 2026年11月1号
    "%Y%m%d",  # 20261101
]
DATETIME_INPUT_FORMATS = [
    *(f"{d} %H:%M" for d in DATE_INPUT_FORMATS[:4]),
    *(f"{d} %H:%M:%S" for d in DATE_INPUT_FORMATS[:4]),
    *DATE_INPUT_FORMATS,
]
