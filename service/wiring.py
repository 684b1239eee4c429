"""What service plugs into the lower apps (navigation, dashboards, customer pages, the ledger,
the yearly table). One function per area; `connect` runs them at start-up."""


def connect() -> None:
    from . import rights  # noqa: F401  (importing rights registers its page rights)

    connect_complaints()
    from .jobs import connect as connect_jobs

    connect_jobs()  # scheduled jobs in crm's registry (SPEC §9)
    connect_yearly()
    connect_surveys()
    connect_revisits()
    connect_competitors()
    connect_customer_actions()


def connect_customer_actions() -> None:
    """Buttons on the customer page: take a complaint about this customer; the holder plans a
    revisit or records a project stage (the pages take the customer)."""
    from customers.extras import register_detail_action

    register_detail_action("service", template="service/_customer_actions.html", order=30)


def connect_complaints() -> None:
    """投诉: the header entry, the complaint shown on its ledger entry, the analysis export,
    the categories kept by the GM in the admin, the demo."""
    from django.apps import apps
    from django.db.models.signals import post_migrate
    from django.utils.translation import gettext_lazy as _

    from crm.demo import register_seeder
    from crm.navigation import register_nav_item
    from crm.roles import register_gm_permissions
    from customers.services.exports import register_export_list
    from penalties.evidence import register_entry_evidence

    from .demo_complaints import seed_complaints
    from .selectors.complaints import entry_complaint_evidence
    from .services.complaints import ensure_on_migrate

    register_nav_item(
        "complaints",
        _("Complaints"),
        "service:complaint_list",
        right="may_see_complaints",
        order=110,
        is_active=lambda request, url, name: (name or "").startswith("complaint"),
    )
    register_entry_evidence(entry_complaint_evidence)
    register_export_list("complaint_analysis", _("Complaint analysis"))
    register_gm_permissions(
        [
            "service.view_complaintcategory",
            "service.add_complaintcategory",
            "service.change_complaintcategory",
        ]
    )
    register_seeder(seed_complaints, order=50)
    post_migrate.connect(
        ensure_on_migrate,
        sender=apps.get_app_config("service"),
        dispatch_uid="service-complaint-categories",
    )
    from . import tasks_complaints  # noqa: F401  (the worker knows the beat's task)


def connect_yearly() -> None:
    """年度评价: the header entry, the yearly table's 总体评价/联系人评价 columns, the demo."""
    from django.utils.translation import gettext_lazy as _

    from crm.demo import register_seeder
    from crm.navigation import register_nav_item
    from sales.selectors.yearly import register_yearly_evaluations

    from .demo_yearly import seed_yearly
    from .selectors.yearly import evaluations_by_year

    register_nav_item(
        "yearly_evaluation",
        _("Yearly evaluation"),
        "service:yearly_list",
        right="may_see_yearly_evaluations",
        order=111,
    )
    register_yearly_evaluations(evaluations_by_year)
    register_seeder(seed_yearly, order=51)


def connect_surveys() -> None:
    """满意度调查: the header entry, the demo seeder, the indicators' export in the export log."""
    from django.utils.translation import gettext_lazy as _

    from crm.demo import register_seeder
    from crm.navigation import register_nav_item
    from customers.services.exports import register_export_list

    from .demo_surveys import seed_surveys

    register_nav_item(
        "surveys",
        _("Satisfaction surveys"),
        "service:survey_list",
        right="may_see_surveys",
        order=112,
    )
    register_export_list("satisfaction_indicators", _("Satisfaction indicators"))
    register_seeder(seed_surveys, order=52)


def connect_revisits() -> None:
    """回访计划 and 客户关怀: the header entry, the salesperson's dashboard panel, the hooks
    that generate 售后 revisits from purchase records and signed contracts, the demo data."""
    from django.utils.translation import gettext_lazy as _

    from crm.dashboard import register_panel
    from crm.demo import register_seeder
    from crm.navigation import register_nav_item
    from customers.rights import may_hold_customers
    from customers.services.records import register_deal_hook
    from sales.services.contracts import register_contract_signed_hook

    from .demo_revisits import seed_revisits
    from .services.revisits import on_contract_signed, on_deal
    from .views.revisits import revisits_panel

    register_nav_item(
        "revisits", _("Revisit plans"), "service:revisit_list", right="may_see_revisits", order=113
    )
    register_panel(
        "revisits-due",
        template="service/_revisits_panel.html",
        context=revisits_panel,
        shown_to=may_hold_customers,
        order=14,
    )
    register_deal_hook(on_deal)
    register_contract_signed_hook(on_contract_signed)
    register_seeder(seed_revisits, order=53)


def connect_competitors() -> None:
    """竞争对手: the header entry, the customer page's and the opportunity page's sections,
    the demo catalogue."""
    from django.utils.translation import gettext_lazy as _

    from crm.demo import register_seeder
    from crm.navigation import register_nav_item
    from customers.extras import register_detail_section
    from sales.extras import register_opportunity_section

    from .demo_competitors import seed_competitors
    from .views.competitors import customer_section, opportunity_section

    register_nav_item(
        "competitors",
        _("Competitors"),
        "service:competitor_list",
        right="may_see_competitors",
        order=114,
    )
    register_detail_section(
        "competitors",
        template="service/_competitors_customer_section.html",
        context=customer_section,
        order=60,
    )
    register_opportunity_section(
        "competitors",
        template="service/_competitors_opportunity_section.html",
        context=opportunity_section,
        order=10,
    )
    register_seeder(seed_competitors, order=54)
