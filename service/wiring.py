"""What service plugs into the lower apps (navigation, dashboards, customer pages, the ledger,
the yearly table). One function per area; `connect` runs them at start-up."""


def connect() -> None:
    from . import rights  # noqa: F401  (importing rights registers its page rights)

    connect_complaints()
    connect_yearly()
    connect_surveys()
    connect_revisits()
    connect_competitors()


def connect_complaints() -> None:
    return None


def connect_yearly() -> None:
    return None


def connect_surveys() -> None:
    return None


def connect_revisits() -> None:
    return None


def connect_competitors() -> None:
    return None
