"""工作消息 (SPEC §9): the general manager's page of channels (state, recent deliveries, a test
message per channel) and everyone's own notification preferences."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ..channels import ChannelError
from ..channels.delivery import (
    channel_config,
    channel_preference_save,
    channel_states,
    channel_test_queue,
    deliveries_recent,
)
from ..models import ChannelPreference, NotificationDelivery
from ..rights import may_configure_channels, may_set_channel_preferences


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = ChannelPreference
        fields = ["wants_email", "wants_wecom", "wants_dingtalk", "wecom_userid", "dingtalk_userid"]
        help_texts = {
            "wecom_userid": gettext_lazy("Your 账号 in the WeCom address book (通讯录)."),
            "dingtalk_userid": gettext_lazy("Your userid in the DingTalk address book."),
        }


class TestForm(forms.Form):
    channel = forms.ChoiceField(choices=NotificationDelivery.Channel.choices)


@login_required
@require_http_methods(["GET"])
def channel_overview(request):
    if not may_configure_channels(request.user):
        raise Http404
    config = channel_config()
    return render(
        request,
        "crm/channels.html",
        {
            "states": channel_states(config),
            "deliveries": deliveries_recent(50),
            "config_url": _config_admin_url(config),
        },
    )


@login_required
@require_http_methods(["POST"])
def channel_test(request):
    if not may_configure_channels(request.user):
        raise Http404
    form = TestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a channel."))
        return redirect("crm:channels")
    try:
        channel_test_queue(
            actor=request.user, channel=form.cleaned_data["channel"], now=timezone.now()
        )
    except ChannelError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The test message is queued; its result appears below in a moment.")
        )
    return redirect("crm:channels")


@login_required
@require_http_methods(["GET", "POST"])
def channel_preferences(request):
    if not may_set_channel_preferences(request.user):
        raise Http404
    current = ChannelPreference.objects.filter(user=request.user).first()
    form = PreferenceForm(request.POST or None, instance=current or ChannelPreference())
    if request.method == "POST" and form.is_valid():
        channel_preference_save(user=request.user, now=timezone.now(), **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("crm:channel_preferences")
    return render(request, "crm/channels_preferences.html", {"form": form})


def _config_admin_url(config) -> str:
    """Where the GM edits the configuration: the admin's one row, or its add form at first."""
    if config._state.adding:
        return reverse("admin:crm_channelconfig_add")
    return reverse("admin:crm_channelconfig_change", args=[config.pk])
