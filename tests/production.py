"""The production settings module as CI's `check --deploy` loads it, for tests that assert what
production enforces (the suite itself runs on crm.settings.test)."""

import importlib
import sys

MODULE = "crm.settings.production"


def production_settings(monkeypatch):
    """Import crm/settings/production.py afresh with the environment it requires."""
    monkeypatch.setenv("SECRET_KEY", "test-production-settings-" + "x" * 40)
    monkeypatch.setenv("ALLOWED_HOSTS", "crm.example.cn")
    sys.modules.pop(MODULE, None)
    try:
        return importlib.import_module(MODULE)
    finally:
        sys.modules.pop(MODULE, None)
