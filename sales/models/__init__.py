"""Models of sales (SPEC §10): opportunities, contracts and money, credit."""

from .contracts import (
    Collection,
    Contract,
    ContractAttachment,
    ContractLine,
    Instalment,
    ReturnRecord,
)
from .credit import CreditShare, CreditTransfer, CrossSale, Decision, DormantMark, SalesCredit
from .opportunities import (
    CLOSED_STAGES,
    OPEN_STAGES,
    Opportunity,
    OpportunityAction,
    Stage,
    StageChange,
    StageProbability,
)
from .summaries import (
    CreditPeriod,
    FunnelCustomer,
    FunnelFigure,
    MonthCustomer,
    MonthFigure,
    ReceivableGroup,
    ReceivableSnapshot,
    SummaryState,
)

__all__ = [
    "CLOSED_STAGES",
    "OPEN_STAGES",
    "Collection",
    "Contract",
    "ContractAttachment",
    "ContractLine",
    "CreditPeriod",
    "CreditShare",
    "CreditTransfer",
    "CrossSale",
    "Decision",
    "DormantMark",
    "FunnelCustomer",
    "FunnelFigure",
    "Instalment",
    "MonthCustomer",
    "MonthFigure",
    "Opportunity",
    "ReceivableGroup",
    "ReceivableSnapshot",
    "OpportunityAction",
    "ReturnRecord",
    "SalesCredit",
    "Stage",
    "StageChange",
    "StageProbability",
    "SummaryState",
]
