"""Test support the generic tests rely on: each ledger registers a factory that makes a valid
row in a given unit, so the scope matrix covers the ledger the day it is declared."""

from __future__ import annotations

from collections.abc import Callable

_factories: dict[type, Callable] = {}


def factory_for(model):
    """Register `fn(unit, **overrides) -> saved row` as the way tests make rows of `model`."""

    def decorate(fn):
        _factories[model] = fn
        return fn

    return decorate


def row_factory(model) -> Callable | None:
    return _factories.get(model)
