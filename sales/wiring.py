"""What sales plugs into the lower apps (navigation, dashboards, customer pages, the approvals
inbox, hooks on customers' services). One function per area; `connect` runs them at start-up."""


def connect() -> None:
    from . import rights  # noqa: F401  (importing rights registers its page rights)

    connect_credit_rows()
    from .jobs import connect as connect_jobs

    connect_jobs()  # scheduled jobs in crm's registry (SPEC §9)
    connect_demo()
    connect_inbox()
    connect_opportunities()
    connect_contracts()
    connect_receivables()
    connect_credit()
    connect_reports()
    connect_yearly()


def connect_credit_rows() -> None:
    from .credit_hooks import connect_deal_hook

    connect_deal_hook()


def connect_inbox() -> None:
    from allocation.inbox import register_inbox_source

    from .inbox import uncredited_contract_items

    register_inbox_source(uncredited_contract_items)


def connect_demo() -> None:
    from crm.demo import register_seeder

    from .demo import seed_sales

    register_seeder(seed_sales, order=25)


def connect_opportunities() -> None:
    """销售机会: the header entry, the customer page's section, the dashboards' 一般行动 panel,
    the stage probabilities kept in the admin by the GM (and re-seeded after migrate)."""
    from django.apps import apps
    from django.db.models.signals import post_migrate
    from django.utils.translation import gettext_lazy as _

    from crm.dashboard import register_panel
    from crm.navigation import register_nav_item
    from crm.roles import register_gm_permissions
    from customers.extras import register_detail_section
    from customers.rights import may_hold_customers

    from .defaults import ensure_on_migrate
    from .views.opportunities import opportunities_panel, opportunities_section

    register_nav_item(
        "opportunities",
        _("Opportunities"),
        "sales:opportunity_list",
        right="may_see_opportunities",
        order=105,
    )
    register_detail_section(
        "opportunities",
        template="sales/_opportunities_section.html",
        context=opportunities_section,
        order=10,
    )
    register_panel(
        "opportunities-no-action",
        template="sales/_opportunities_panel.html",
        context=opportunities_panel,
        shown_to=may_hold_customers,
        order=12,
    )
    register_gm_permissions(["sales.view_stageprobability", "sales.change_stageprobability"])
    post_migrate.connect(
        ensure_on_migrate,
        sender=apps.get_app_config("sales"),
        dispatch_uid="sales-stage-probabilities",
    )


def connect_contracts() -> None:
    from django.utils.translation import gettext_lazy as _

    from crm.navigation import register_nav_item
    from customers.extras import register_detail_section

    from .selectors.contracts import customer_section

    register_nav_item(
        "contracts",
        _("Contracts"),
        "sales:contract_list",
        right="may_see_contracts",
        order=106,
        is_active=lambda request, url, name: (name or "").startswith(
            ("contract", "collection", "return")
        ),
    )
    register_detail_section(
        "contracts",
        template="sales/_contracts_section.html",
        context=customer_section,
        order=20,
    )


def connect_receivables() -> None:
    from django.utils.translation import gettext_lazy as _

    from crm.dashboard import register_department_panel, register_panel
    from crm.navigation import register_nav_item
    from crm.rights import may_manage_departments, may_view_departments
    from customers.rights import sees_only_own_customers
    from customers.services.exports import register_export_list

    from .views import receivables as views

    register_nav_item(
        "receivables", _("Receivables"), "sales:receivables", right="may_see_receivables", order=107
    )
    register_export_list("receivables", _("Receivables and ageing"))
    register_panel(
        "salesperson-receivables",
        template="sales/_receivables_sales_panel.html",
        context=views.salesperson_panel,
        shown_to=sees_only_own_customers,
        order=12,
    )
    register_panel(
        "manager-receivables",
        template="sales/_receivables_manager_panel.html",
        context=views.manager_panel,
        shown_to=may_manage_departments,
        order=12,
    )
    register_department_panel(
        "department-receivables",
        template="sales/_receivables_department_panel.html",
        context=views.department_panel,
        shown_to=may_view_departments,
        order=30,
    )


def connect_credit() -> None:
    """沉默客户, 交叉销售, 划转销量 (000 §3.2.e–f): the header entry (the dormant list, which links
    the cross-sale and credit-transfer lists), the customer page's section, and the approvals
    in allocation's inbox."""
    from django.utils.translation import gettext_lazy as _

    from allocation.inbox import register_inbox_source
    from crm.navigation import register_nav_item
    from customers.extras import register_detail_section

    from .selectors.credit import customer_section, inbox_items

    pages = ("dormant", "cross_sale", "credit_transfer")
    register_nav_item(
        "credit",
        _("Dormant and credit"),
        "sales:dormant_list",
        right="may_see_dormant",
        order=108,
        is_active=lambda request, url, name: (
            (name or "").startswith(pages)
            and getattr(request.resolver_match, "namespace", "") == "sales"
        ),
    )
    register_detail_section(
        "credit", template="sales/_credit_customer.html", context=customer_section, order=30
    )
    register_inbox_source(inbox_items)


def connect_reports() -> None:
    """The header entry of the three report pages and their export lists (SPEC §9 log)."""
    from django.utils.translation import gettext_lazy as _

    from crm.navigation import register_nav_item
    from customers.services.exports import register_export_list

    pages = {"funnel", "sales_by_month", "ranking"}
    register_nav_item(
        "sales_reports",
        _("Sales reports"),
        "sales:funnel",
        right="may_see_sales_reports",
        order=109,
        is_active=lambda request, url, name: (
            name in pages and getattr(request.resolver_match, "namespace", "") == "sales"
        ),
    )
    register_export_list("sales_funnel", _("Sales funnel"))
    register_export_list("sales_by_month", _("Sales, collections and receivables by month"))
    register_export_list("sales_ranking", _("Sales ranking"))


def connect_yearly() -> None:
    """年客户交易记录表: the customer page's section (it replaces customers' old yearly block)
    and its export list (SPEC §9 log)."""
    from django.utils.translation import gettext_lazy as _

    from customers.extras import register_detail_section
    from customers.services.exports import register_export_list

    from .views.yearly import yearly_section

    register_detail_section(
        "yearly", template="sales/_yearly_section.html", context=yearly_section, order=40
    )
    register_export_list("customer_yearly", _("Yearly transactions of a customer"))
