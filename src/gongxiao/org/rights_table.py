"""The rights table of org.roles in words, for the user guide (docs/guide.zh.md): one line per
role, one column per module, the actions it allows there. org/tests/test_guide.py checks that
the guide carries exactly this table."""

from __future__ import annotations

from django.utils import translation

from .roles import ALL, MODULES, RIGHTS, Action, Role

# One character per action, in this order; the legend is printed under the table.
SHORT = {
    Action.VIEW: "查",
    Action.ADD: "增",
    Action.CHANGE: "改",
    Action.DELETE: "删",
    Action.IMPORT: "入",
    Action.EXPORT: "出",
    Action.PII: "敏",
    Action.REVIEW: "审",
    Action.ADMINISTER: "管",
}


def table() -> str:
    with translation.override("zh-hans"):
        modules = list(MODULES)
        head = "| 角色 | " + " | ".join(str(MODULES[m]) for m in modules) + " |"
        rule = "|" + "---|" * (len(modules) + 1)
        lines = [head, rule]
        for role in Role:
            cells = []
            for m in modules:
                granted = RIGHTS.get(role, {}).get(m, frozenset())
                if granted == ALL:
                    cells.append("全部")
                else:
                    cells.append("".join(SHORT[a] for a in Action if a in granted) or "—")
            lines.append(f"| {role.label} | " + " | ".join(cells) + " |")
        return "\n".join(lines)
