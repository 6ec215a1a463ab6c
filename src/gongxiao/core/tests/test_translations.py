"""The interface is Chinese first: every message has a translation, and the compiled catalogue
shipped in the package is the one the .po file describes."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("lang", ["zh_Hans"])
def test_every_message_is_translated_and_compiled(lang):
    po = polib.pofile(LOCALE / lang / "LC_MESSAGES" / "django.po")
    assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()][:10]
    assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()][:10]
    mo = polib.mofile(LOCALE / lang / "LC_MESSAGES" / "django.mo")
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
    }
    for e in po.translated_entries():
        assert compiled.get((e.msgctxt, e.msgid)) == (
            e.msgstr,
            tuple(sorted(e.msgstr_plural.items())),
        ), f"django.mo is stale for {e.msgid!r}: run `gongxiao compilemessages`"
