"""Work messaging (issue 18, SPEC §9): the channel configuration, each person's channel
preferences, and the deliveries of notifications to e-mail, WeCom and DingTalk."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0005_backups"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChannelConfig",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email_enabled", models.BooleanField(default=True, verbose_name="e-mail on")),
                (
                    "wecom_enabled",
                    models.BooleanField(
                        default=False, verbose_name="WeCom application messages on"
                    ),
                ),
                (
                    "wecom_corpid",
                    models.CharField(blank=True, max_length=64, verbose_name="WeCom CorpID"),
                ),
                (
                    "wecom_secret",
                    models.CharField(
                        blank=True, max_length=128, verbose_name="WeCom application Secret"
                    ),
                ),
                (
                    "wecom_agentid",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="WeCom AgentId"
                    ),
                ),
                (
                    "wecom_robot_enabled",
                    models.BooleanField(default=False, verbose_name="WeCom group robot on"),
                ),
                (
                    "wecom_robot_key",
                    models.CharField(
                        blank=True, max_length=128, verbose_name="WeCom group robot webhook key"
                    ),
                ),
                (
                    "dingtalk_enabled",
                    models.BooleanField(
                        default=False, verbose_name="DingTalk work notifications on"
                    ),
                ),
                (
                    "dingtalk_appkey",
                    models.CharField(blank=True, max_length=64, verbose_name="DingTalk AppKey"),
                ),
                (
                    "dingtalk_appsecret",
                    models.CharField(blank=True, max_length=128, verbose_name="DingTalk AppSecret"),
                ),
                (
                    "dingtalk_agent_id",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="DingTalk AgentId"
                    ),
                ),
                (
                    "dingtalk_robot_enabled",
                    models.BooleanField(default=False, verbose_name="DingTalk group robot on"),
                ),
                (
                    "dingtalk_robot_token",
                    models.CharField(
                        blank=True, max_length=128, verbose_name="DingTalk group robot access_token"
                    ),
                ),
                (
                    "dingtalk_robot_secret",
                    models.CharField(
                        blank=True,
                        max_length=128,
                        verbose_name="DingTalk group robot signing secret (加签)",
                    ),
                ),
            ],
            options={
                "verbose_name": "work messaging configuration",
                "verbose_name_plural": "work messaging configuration",
            },
        ),
        migrations.CreateModel(
            name="ChannelPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "wecom_userid",
                    models.CharField(blank=True, max_length=64, verbose_name="WeCom userid"),
                ),
                (
                    "dingtalk_userid",
                    models.CharField(blank=True, max_length=64, verbose_name="DingTalk userid"),
                ),
                ("wants_email", models.BooleanField(default=True, verbose_name="by e-mail")),
                ("wants_wecom", models.BooleanField(default=True, verbose_name="by WeCom")),
                ("wants_dingtalk", models.BooleanField(default=True, verbose_name="by DingTalk")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="channel_preference",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "notification preference",
                "verbose_name_plural": "notification preferences",
            },
        ),
        migrations.CreateModel(
            name="NotificationDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("email", "E-mail"),
                            ("wecom", "WeCom application message"),
                            ("wecom_robot", "WeCom group robot"),
                            ("dingtalk", "DingTalk work notification"),
                            ("dingtalk_robot", "DingTalk group robot"),
                        ],
                        max_length=20,
                        verbose_name="channel",
                    ),
                ),
                ("address", models.CharField(blank=True, max_length=254, verbose_name="address")),
                ("title", models.CharField(blank=True, max_length=200, verbose_name="title")),
                ("body", models.TextField(blank=True, max_length=2000, verbose_name="body")),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                (
                    "last_error",
                    models.CharField(blank=True, max_length=500, verbose_name="last error"),
                ),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                (
                    "next_attempt_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="next attempt at"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                (
                    "notification",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="crm.notification",
                        verbose_name="notification",
                    ),
                ),
            ],
            options={
                "verbose_name": "notification delivery",
                "verbose_name_plural": "notification deliveries",
                "ordering": ["-id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "pending")),
                        fields=["next_attempt_at"],
                        name="delivery_pending_idx",
                    )
                ],
            },
        ),
    ]
