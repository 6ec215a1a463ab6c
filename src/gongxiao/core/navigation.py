"""Pages beyond the ledgers that an app puts in the navigation under its module."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavLink:
    module: str
    label: str
    url_name: str
    icon: str = "speedometer2"
    action: str = "view"


_links: list[NavLink] = []


def register_link(link: NavLink) -> None:
    if link not in _links:
        _links.append(link)


def links_for(module: str) -> list[NavLink]:
    return [lk for lk in _links if lk.module == module]
