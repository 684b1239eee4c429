"""工作日历 → 导入: the GM pastes the State Council's holiday notice, sees the year as the
system will read it, and saves it as overrides on confirmation (SPEC §9)."""

import calendar as pycalendar
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .. import calendar as workdays
from ..holiday_notice import NoticeError, notice_save, parse_notice
from ..rights import may_import_calendar


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text of the notice"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=20000,
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=gettext_lazy("Read from the title when left empty."),
    )


def _preview(notice) -> list[dict]:
    """The notice's months, day by day: what the notice says and what the calendar says now."""
    off, on = notice.days_off, notice.make_up_days
    months = sorted({(d.year, d.month) for d in off | on})
    cal = pycalendar.Calendar(firstweekday=0)
    shown = []
    for year, month in months:
        weeks = cal.monthdatescalendar(year, month)
        overrides = workdays.overrides_between(weeks[0][0], weeks[-1][-1])
        grid = []
        for week in weeks:
            row = []
            for day in week:
                notice_says = False if day in off else True if day in on else day.weekday() < 5
                now_says = workdays.is_workday(day, overrides=overrides)
                row.append(
                    {
                        "date": day,
                        "in_month": day.month == month,
                        "off": day in off,
                        "makeup": day in on,
                        "changes": day.month == month and notice_says != now_says,
                    }
                )
            grid.append(row)
        shown.append({"month": date(year, month, 1), "grid": grid})
    return shown


@login_required
@require_http_methods(["GET", "POST"])
def calendar_import(request):
    if not may_import_calendar(request.user):
        raise Http404
    form = NoticeForm(request.POST or None)
    notice = None
    if request.method == "POST" and form.is_valid():
        try:
            notice = parse_notice(form.cleaned_data["text"], year=form.cleaned_data["year"])
        except NoticeError as exc:
            form.add_error("text", str(exc))
        else:
            if request.POST.get("confirm") == "1":
                written = notice_save(actor=request.user, notice=notice, now=timezone.now())
                messages.success(
                    request,
                    _("%(year)s: %(n)s days saved to the working-day calendar.")
                    % {"year": notice.year, "n": written},
                )
                return redirect(f"{_calendar_url()}?month={notice.year}-01")
    return render(
        request,
        "crm/calendar_import.html",
        {
            "form": form,
            "notice": notice,
            "months": _preview(notice) if notice else [],
            "weekday_names": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        },
    )


def _calendar_url() -> str:
    from django.urls import reverse

    return reverse("crm:calendar")
