"""The API's JSON renderer, in a module of its own: REST framework imports it while it reads
its settings, before the views (and core/rest.py) can be imported."""

import orjson
from rest_framework import renderers
from rest_framework.utils import encoders


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, encoded by orjson: the same bytes (compact separators, UTF-8 unescaped,
    U+2028/U+2029 escaped as DRF does) at a fraction of json.dumps' cost. What orjson does not
    encode exactly like DRF's encoder (dates and times, decimals, lazy texts …) goes to that
    encoder; an indented answer and anything orjson refuses are left to DRF."""

    _options = (
        orjson.OPT_NON_STR_KEYS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | (orjson.OPT_PASSTHROUGH_DATACLASS)
    )

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if (
            self.get_indent(accepted_media_type, renderer_context) is not None
            or self.ensure_ascii
            or not self.compact
            or self.encoder_class is not encoders.JSONEncoder
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=self._encoder.default, option=self._options)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in out or b"\xe2\x80\xa9" in out:
            out = out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return out

    _encoder = encoders.JSONEncoder()
