"""Rights are named checks in one module per app (crm.rights; issue 12): nothing else reads a
role to decide a right, the navigation asks the pages' own rights without a query, templates
read them through `rights.<name>` and a misspelt name fails loudly."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from crm.models import User
from crm.navigation import NAV_ITEMS, nav_for, navigation
from crm.rights import Rights, UnknownRight, page_right_named, page_rights

ROOT = Path(__file__).resolve().parents[2]
APPS = ("crm", "customers", "allocation", "penalties")

# Ways of deciding something by role. Outside the rights modules each is a right that escaped.
PY_ROLE_READS = [
    (r"\b[A-Z_]*_ROLES\b", "a role tuple"),
    (r"\.role\b", "reading .role"),
    (r"\buser_role\(", "user_role()"),
    (r"\bRole\.(SALESPERSON|MANAGER|GENERAL_MANAGER|ACCOUNTANT)\b", "naming a role"),
    (r"(\b|__)role(__in)?\s*=(?!=)(?!\s*[\"'])", "filtering or assigning by role"),
    (r"\brole\s*=\s*[\"'](salesperson|manager|general_manager|accountant)[\"']", "a role by name"),
    (r"\broles\s*=", "a panel or page given roles"),
]
HTML_ROLE_READS = [
    (r"\brole\s*[!=]=", "comparing role"),
    (r"\.role\b", "reading .role"),
    (r"\bis_gm\b", "an is_gm flag"),
]

# Files that may name roles, each with its reason (paths relative to the repository).
ALLOWED = {
    "crm/models.py": "defines the roles",
    "crm/roles.py": "maps each role to its group and department permissions (what rights read)",
    "crm/services.py": "staff_sync_access turns a role into those groups and permissions",
    "crm/demo.py": "builds the demo organisation, person by person and role by role",
    "customers/demo.py": "builds demo data for the demo people",
    "allocation/demo.py": "builds demo data for the demo people",
    "penalties/demo.py": "builds demo data for the demo people",
    "customers/management/commands/generate_data.py": "builds a benchmark organisation by role",
    "customers/management/commands/build_bench_data.py": "builds a benchmark organisation by role",
    "crm/accounts.py": "records role changes with before/after (an audit, not a right)",
    "penalties/services/scans.py": "rule scope, not a right: who NEW_RESOURCE_QUOTA and NO_LOGIN "
    "fall on",
    "penalties/stats.py": "rule scope, not a right: the follow-up quota counts salespeople",
}


def _offences(path: Path, patterns) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for pattern, what in patterns:
            if re.search(pattern, line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {what}: {line.strip()}")
    return found


def test_only_the_rights_modules_decide_by_role():
    offences = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" in path.parts or path.name == "rights.py" or relative in ALLOWED:
                continue
            offences += _offences(path, PY_ROLE_READS)
    for path in sorted((ROOT / "templates").rglob("*.html")):
        offences += _offences(path, HTML_ROLE_READS)
    assert not offences, "ask a named right (<app>/rights.py) instead:\n" + "\n".join(offences)


def test_the_allow_list_names_files_that_exist():
    assert all((ROOT / path).exists() for path in ALLOWED)


def test_every_navigation_entry_names_a_registered_right():
    for item in NAV_ITEMS:
        assert callable(page_right_named(item.right)), item.key


def test_each_app_registers_its_page_rights():
    modules = {check.__module__ for check in page_rights().values()}
    assert modules >= {f"{app}.rights" for app in APPS}


@pytest.mark.parametrize(
    "who", ["gm", "manager_a", "manager_a1", "accountant_a", "sales_a", "sales_b"]
)
def test_the_navigation_costs_no_query(org, who, django_assert_num_queries):
    # As a request has it: the auth backend loads the profile with the user (crm.auth).
    user = User.objects.select_related("staff", "staff__department").get(pk=getattr(org, who).pk)
    with django_assert_num_queries(0):
        nav_for(user)


def test_templates_read_rights_by_name(org, rf: RequestFactory):
    template = Template(
        "{% if rights.may_register %}R{% endif %}{% if rights.may_distribute %}D{% endif %}"
    )
    for who, shown in [("sales_a", "R"), ("manager_a", "RD"), ("accountant_a", "")]:
        request = rf.get("/")
        request.user = getattr(org, who)
        request.resolver_match = None
        assert template.render(Context(navigation(request))) == shown, who


def test_every_right_a_template_reads_is_registered():
    names = set()
    for path in (ROOT / "templates").rglob("*.html"):
        names |= set(re.findall(r"\brights\.([a-z_]+)", path.read_text(encoding="utf-8")))
    assert names, "templates read rights as rights.<name>"
    assert names <= set(page_rights()), names - set(page_rights())


def test_a_misspelt_right_fails_loudly(org):
    with pytest.raises(UnknownRight):
        Template("{% if rights.may_regsiter %}x{% endif %}").render(
            Context({"rights": Rights(org.sales_a)})
        )


def test_the_anonymous_visitor_has_no_right(db):
    from django.contrib.auth.models import AnonymousUser

    rights = Rights(AnonymousUser())
    assert not any(rights[name] for name in page_rights())
