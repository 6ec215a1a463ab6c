from django import template

register = template.Library()


@register.simple_tag
def with_page(query: str, number) -> str:
    """The list's query string with the page number set."""
    return f"{query}&page={number}" if query else f"page={number}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def at(sequence, index):
    """The item of a list at `index` (the header of a cell, by the cell's position)."""
    try:
        return sequence[index]
    except (IndexError, TypeError):
        return ""


@register.filter
def figure(value, measure=""):
    """A figure as every page prints it (rates: 100%, 96.6%, 无)."""
    from gongxiao.core.metrics import display

    return display(value, measure or "")
