"""系统管理 → 工作消息: the company's channel configuration (one row) and each person's channel
preference. Secrets are write-only: the form shows their last characters and keeps the stored
value when left empty."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import ChannelConfig, ChannelPreference, NotificationDelivery
from . import mask

SECRETS = (
    "wecom_secret",
    "wecom_robot_key",
    "dingtalk_appsecret",
    "dingtalk_robot_token",
    "dingtalk_robot_secret",
)


class ChannelConfigForm(forms.ModelForm):
    class Meta:
        model = ChannelConfig
        fields = [  # noqa: DJ007 - every field is the GM's to edit
            f.name for f in ChannelConfig._meta.get_fields() if f.name != "id"
        ]
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRETS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRETS:
            stored = getattr(self.instance, name, "")
            if stored:
                self.fields[name].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                    "masked": mask(stored)
                }

    def clean(self):
        cleaned = super().clean()
        for name in SECRETS:
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


@admin.register(ChannelConfig)
class ChannelConfigAdmin(admin.ModelAdmin):
    form = ChannelConfigForm
    list_display = [
        "__str__",
        "email_enabled",
        "wecom_enabled",
        "wecom_robot_enabled",
        "dingtalk_enabled",
        "dingtalk_robot_enabled",
    ]
    fieldsets = [
        (_("E-mail"), {"fields": ["email_enabled"]}),
        (
            _("WeCom application (企业微信 自建应用)"),
            {"fields": ["wecom_enabled", "wecom_corpid", "wecom_agentid", "wecom_secret"]},
        ),
        (_("WeCom group robot (群机器人)"), {"fields": ["wecom_robot_enabled", "wecom_robot_key"]}),
        (
            _("DingTalk application (钉钉 企业内部应用)"),
            {
                "fields": [
                    "dingtalk_enabled",
                    "dingtalk_appkey",
                    "dingtalk_agent_id",
                    "dingtalk_appsecret",
                ]
            },
        ),
        (
            _("DingTalk group robot (自定义机器人, 加签)"),
            {"fields": ["dingtalk_robot_enabled", "dingtalk_robot_token", "dingtalk_robot_secret"]},
        ),
    ]

    def has_add_permission(self, request):
        # One row: the company's configuration.
        return super().has_add_permission(request) and not ChannelConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1  # the one row every reader looks up
        super().save_model(request, obj, form, change)


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "wecom_userid",
        "dingtalk_userid",
        "wants_email",
        "wants_wecom",
        "wants_dingtalk",
    ]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "wecom_userid",
        "dingtalk_userid",
    ]
    autocomplete_fields = ["user"]


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):
    """Read-only: deliveries are written by the system."""

    list_display = [
        "created_at",
        "channel",
        "address",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel"]
    list_select_related = ["notification"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
