"""The same date input as in Chinese (see zh_Hans/formats.py): the office's dates are written
the Chinese way whatever the language of the page."""

from gongxiao.config.formats.zh_Hans.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

__all__ = ["DATETIME_INPUT_FORMATS", "DATE_INPUT_FORMATS"]
