"""What sales plugs into the lower apps (navigation, dashboards, customer pages, the approvals
inbox, hooks on customers' services). One function per area; `connect` runs them at start-up."""


def connect() -> None:
    from . import rights  # noqa: F401  (importing rights registers its page rights)

    connect_credit_rows()
    connect_opportunities()
    connect_contracts()
    connect_receivables()
    connect_credit()
    connect_reports()


def connect_credit_rows() -> None:
    from .credit_hooks import connect_deal_hook

    connect_deal_hook()


def connect_opportunities() -> None:
    return None


def connect_contracts() -> None:
    return None


def connect_receivables() -> None:
    return None


def connect_credit() -> None:
    return None


def connect_reports() -> None:
    return None
