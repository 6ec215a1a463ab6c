"""Readable names for the values a figure is broken down by."""

from django.core.exceptions import FieldDoesNotExist

from gongxiao.core import scoping


def _field(model, path):
    """The field at the end of a path such as "meeting__body"."""
    field = None
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if field.is_relation and name != path.split("__")[-1]:
            model = field.related_model
    return field


def field_label(model, path) -> str:
    f = _field(model, path)
    return str(f.verbose_name) if f is not None else path


def choice_label(model, path, value, user) -> str:
    if value is None:
        return "—"
    f = _field(model, path)
    if f is None:
        return str(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation:
        # A name is shown only to those who may see the row it names.
        obj = f.related_model._default_manager.filter(pk=value).first()
        if obj is None or not scoping.can_see_related(user, obj):
            return "—"
        return str(obj)
    return str(value)
