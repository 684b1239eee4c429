"""The UI speaks Simplified Chinese: the catalogue is complete, and the committed compiled
catalogue matches its source (set-up needs no gettext)."""

from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_compiled_catalogue_is_up_to_date():
    po = polib.pofile(str(PO))
    with translation.override("zh-hans"):
        stale = [
            e.msgid
            for e in po.translated_entries()
            if not e.msgid_plural and not e.msgctxt and translation.gettext(e.msgid) != e.msgstr
        ]
    assert stale == [], "run: python manage.py compilemessages"


def test_role_names_are_chinese_by_default():
    from crm.models import Staff

    with translation.override(settings.LANGUAGE_CODE):
        assert str(Staff.Role.GENERAL_MANAGER.label) == "总经理"
        assert str(Staff.Role.SALESPERSON.label) == "业务员"
