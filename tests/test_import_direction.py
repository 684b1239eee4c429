"""Imports point one way (ARCHITECTURE.md):
stores → service → penalties → sales → allocation → customers → crm.

A lower app never names a higher one: not in a Python import (`import x`, `from x import`), not in
a dotted path handed to `import_string` or kept as a string, and not in its templates (a
`{% load %}` of a tag library the higher app defines, a `{% url 'ns:…' %}` into the higher app's
namespace, an `{% include %}`/`{% extends %}` of the higher app's template). The higher app plugs
in by registration (crm.dashboard.register_panel, crm.navigation.register_nav_item, …).
Migrations are excluded (Django writes their dependencies)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# Lowest first: an app may name only itself and the apps before it.
LAYERS = ["crm", "customers", "allocation", "sales", "penalties", "service", "stores"]
RANK = {app: i for i, app in enumerate(LAYERS)}

# Violations that are known and still to be removed. Each entry: (source, referenced app, what).
# The test fails on any violation not listed here, and on a listed one that is gone (so the list
# only shrinks).
ALLOWED: set[tuple[str, str, str]] = set()  # each entry commented "issue 13: to remove"

# The project package shares crm's name: settings and the root URLconf are the composition root
# that installs every app, not part of the crm app.
PROJECT_WIRING = {"crm/settings", "crm/urls.py", "crm/wsgi.py", "crm/asgi.py", "crm/celery.py"}

_APPS = "|".join(LAYERS)
URL_NAME = re.compile(rf"^({_APPS}):[A-Za-z_][A-Za-z0-9_]*$")
DOTTED = re.compile(rf"""["']((?:{_APPS})(?:\.[A-Za-z_][A-Za-z0-9_]*)+)["']""")
LOAD = re.compile(r"{%\s*load\s+([^%]*?)\s*%}")
URL = re.compile(r"""{%\s*url\s+["']([A-Za-z_]+):""")
INCLUDE = re.compile(r"""{%\s*(?:include|extends)\s+["']([^"']+)["']""")


def _app_of_module(dotted: str) -> str | None:
    head = re.split(r"[.:]", dotted)[0]
    return head if head in RANK else None


def _python_references(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        rel = path.relative_to(ROOT)
        if "migrations" in rel.parts or any(
            str(rel).startswith(wiring) for wiring in PROJECT_WIRING
        ):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                # Dotted paths in strings: import_string("allocation.…"), settings-like lists.
                names = [m.group(1) for m in DOTTED.finditer(f'"{node.value}"')]
                # URL names: reverse("allocation:pool"), a navigation entry's url_name.
                names += [m.group(0) for m in URL_NAME.finditer(node.value)]
            for name in names:
                target = _app_of_module(name)
                if target:
                    yield str(rel), target, f"{rel}:{node.lineno} {name}"


def _tag_libraries() -> dict[str, str]:
    """Tag library name → the app that defines it."""
    return {
        lib.stem: app
        for app in LAYERS
        for lib in (ROOT / app / "templatetags").glob("*.py")
        if lib.stem != "__init__"
    }


def _template_app(path: Path) -> str:
    rel = path.relative_to(TEMPLATES)
    if len(rel.parts) == 1 or rel.parts[0] not in RANK:
        return "crm"  # base.html, _form_fields.html, registration/: the crm shell
    return rel.parts[0]


def _template_references():
    libraries = _tag_libraries()
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(ROOT))
        for lineno, line in enumerate(source.splitlines(), 1):
            for match in LOAD.finditer(line):
                words = match.group(1).split()
                if "from" in words:  # {% load tag from library %}
                    words = words[words.index("from") + 1 :]
                for lib in words:
                    if lib in libraries:
                        yield rel, libraries[lib], f"{rel}:{lineno} load {lib}"
            for match in URL.finditer(line):
                if match.group(1) in RANK:
                    yield rel, match.group(1), f"{rel}:{lineno} url {match.group(1)}:"
            for match in INCLUDE.finditer(line):
                target = match.group(1).split("/")[0]
                if target in RANK and "/" in match.group(1):
                    yield rel, target, f"{rel}:{lineno} include {match.group(1)}"


def violations() -> set[tuple[str, str, str]]:
    found = set()
    for app in LAYERS:
        for source, target, where in _python_references(app):
            if RANK[target] > RANK[app]:
                found.add((source, target, where.split(" ", 1)[1]))
    for source, target, where in _template_references():
        app = _template_app(ROOT / source)
        if RANK[target] > RANK[app]:
            found.add((source, target, where.split(" ", 1)[1]))
    return found


def test_no_lower_app_names_a_higher_one():
    new = sorted(violations() - ALLOWED)
    assert not new, "lower app names a higher one:\n" + "\n".join(map(str, new))


def test_allow_list_only_shrinks():
    gone = sorted(ALLOWED - violations())
    assert not gone, "remove these from ALLOWED, they are fixed:\n" + "\n".join(map(str, gone))


def test_the_check_sees_a_violation():
    """The reader is not blind: a lower app importing a higher one, a lower template loading a
    higher app's library or linking its namespace, are all caught."""
    tree = ast.parse("from allocation.services import x\nimport penalties.stats\n")
    found = [
        _app_of_module(n.module if isinstance(n, ast.ImportFrom) else n.names[0].name)
        for n in tree.body
    ]
    assert found == ["allocation", "penalties"]
    assert _tag_libraries()["reclaim_tags"] == "allocation"
    assert URL.search("{% url 'allocation:pool' %}").group(1) == "allocation"
    assert DOTTED.search('"penalties.stats.x"').group(1) == "penalties.stats.x"
    assert URL_NAME.match("penalties:ledger").group(1) == "penalties"


@pytest.mark.django_db
def test_the_higher_apps_register_their_gm_permissions():
    """crm/roles.py names only crm's permissions; allocation and penalties register theirs for
    the general manager's group (AppConfig.ready), and the group holds them after migrate."""
    from crm.models import Staff
    from crm.roles import ensure_role_groups, role_group

    ensure_role_groups()
    held = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in role_group(Staff.Role.GENERAL_MANAGER).permissions.select_related("content_type")
    }
    assert {
        "allocation.view_reclaimpolicy",
        "allocation.change_reclaimpolicy",
        "allocation.view_jobrun",
        "allocation.view_publicnotice",
        "allocation.view_distributionbatch",
        "penalties.view_penaltyrule",
        "penalties.add_penaltyrule",
        "penalties.change_penaltyrule",
        "crm.manage_department",
    } <= held
    assert "penalties.delete_penaltyrule" not in held


def test_the_higher_apps_register_their_navigation_in_order():
    from crm.navigation import NAV_ITEMS

    assert [item.key for item in NAV_ITEMS] == [
        "dashboard",
        "departments",
        "customers",
        "register",
        "worklist",
        "duplicates",
        "pool",
        "inbox",
        "notices",
        "swaps",
        "opportunities",
        "contracts",
        "receivables",
        "credit",
        "sales_reports",
        "inquiry",
        "complaints",
        "yearly_evaluation",
        "surveys",
        "revisits",
        "competitors",
        "stores",
        "ledger",
        "overview",
        "exports",
        "calendar",
        "logins",
        "admin",
    ]


def test_no_import_fallback_hides_a_missing_module():
    """`try: import … except ImportError` in an app makes a missing app or module look like an
    absent feature; each app's dependencies are installed, so an import either works or fails
    loudly."""
    found = []
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts or any(str(rel).startswith(w) for w in PROJECT_WIRING):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ExceptHandler) and node.type is not None:
                    names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                    if names & {"ImportError", "ModuleNotFoundError"}:
                        found.append(f"{rel}:{node.lineno}")
    assert not found, "an import fallback hides a missing module:\n" + "\n".join(found)
