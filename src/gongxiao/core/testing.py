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


# Makers of rows in the state an action needs, for core/tests/test_actions.py: for each declared
# action, `fn(unit) -> saved row of that unit` on which a user holding the action's right over
# the unit (and with no part in the row: not its requester, not its responsible person) may
# take the action now.
_action_makers: dict[tuple[str, str], Callable] = {}


def prepares(ledger_key: str, *action_names: str):
    """Register `fn(unit) -> row` as the way tests make a row ready for these actions."""

    def decorate(fn):
        for name in action_names:
            _action_makers[(ledger_key, name)] = fn
        return fn

    return decorate


def action_maker(ledger_key: str, action_name: str) -> Callable | None:
    return _action_makers.get((ledger_key, action_name))
