"""Departments: the list within the viewer's scope and one department's page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .. import rights
from ..dashboard import department_panels_for
from ..models import Department, Staff
from ..selectors import (
    departments_visible_to,
    departments_with_headcount,
    grants_read_once,
    sees_department,
)


@login_required
def department_list(request):
    if not rights.may_view_departments(request.user):
        raise Http404
    departments = departments_with_headcount(departments_visible_to(request.user))
    return render(request, "crm/department_list.html", {"departments": departments})


@login_required
def department_detail(request, pk: int):
    # The page's panels ask about the same grants again (the worklist's customer scope): they
    # are read once for the whole page (issue 19 round 3).
    with grants_read_once(request.user):
        return _department_detail(request, pk)


def _department_detail(request, pk: int):
    # Outside the user's scope the department does not exist for them (SPEC §1: 404). The
    # scope is the grants' ids read once (`sees_department`), then the row by its key.
    if not sees_department(request.user, pk):
        raise Http404
    department = get_object_or_404(Department.objects.select_related("manager", "parent"), pk=pk)
    members = (
        Staff.objects.filter(department=department)
        .select_related("user")
        .order_by("role", "user__username")
    )
    children = departments_with_headcount(department.children.all())
    accountants = Staff.objects.filter(assigned_departments=department).select_related("user")
    now = timezone.now()
    # The figures come from the apps that own them (customers, allocation, penalties).
    panels = department_panels_for(request, department, now=now, today=timezone.localdate(now))
    return render(
        request,
        "crm/department_detail.html",
        {
            "department": department,
            "members": members,
            "children": children,
            "accountants": accountants,
            "panels": panels,
        },
    )
