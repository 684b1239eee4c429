"""Issue 14 defect 10: the general manager keeps the rule catalogue (奖惩规则) and the rule numbers
(系统管理 → Config) in the admin. The role group gets these permissions on every migrate
(crm.roles.ensure_role_groups, post_migrate), but an installation whose group was set up before
they were registered, or whose deploy skipped that step, left the GM with a 403: this grants
them once in the schema's history, and makes sure every current GM is in the group and may
enter the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GM_GROUP = "general_manager"
GM_PERMISSIONS = [
    ("constance", "view_config"),
    ("constance", "change_config"),
    ("penalties", "view_penaltyrule"),
    ("penalties", "add_penaltyrule"),
    ("penalties", "change_penaltyrule"),
]


def grant(apps, schema_editor):
    alias = schema_editor.connection.alias
    # On a fresh database permissions are created only after all migrations (post_migrate):
    # create the two apps' now, as Django's own data migrations do.
    for label in ("constance", "penalties"):
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=alias)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Staff = apps.get_model("crm", "Staff")
    group, _ = Group.objects.using(alias).get_or_create(name=GM_GROUP)
    for app_label, codename in GM_PERMISSIONS:
        permission = Permission.objects.using(alias).get(
            content_type__app_label=app_label, codename=codename
        )
        group.permissions.add(permission)
    for staff in Staff.objects.using(alias).filter(role=GM_GROUP).select_related("user"):
        staff.user.groups.add(group)
        if not staff.user.is_staff:
            staff.user.is_staff = True
            staff.user.save(update_fields=["is_staff"])


class Migration(migrations.Migration):
    dependencies = [
        ("penalties", "0004_open_rule_catalogue"),
        ("constance", "0003_drop_pickle"),
        ("crm", "0003_login_log_and_account_changes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
