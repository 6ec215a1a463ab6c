"""The user guide's table of who may do what is the rights table of the code, word for word."""

from pathlib import Path

from gongxiao.org.rights_table import table

GUIDE = Path(__file__).resolve().parents[4] / "docs" / "guide.zh.md"


def test_the_guide_carries_the_rights_table_of_the_code():
    assert table() in GUIDE.read_text(encoding="utf-8"), (
        "docs/guide.zh.md is out of date: paste gongxiao.org.rights_table.table() into §2"
    )


def test_the_guide_names_every_role():
    from django.utils import translation

    from gongxiao.org.roles import Role

    text = GUIDE.read_text(encoding="utf-8")
    with translation.override("zh-hans"):
        for role in Role:
            assert f"| {role.label} |" in text
