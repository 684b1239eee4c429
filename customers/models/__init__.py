"""Models of the customer archive: the static archive (archive.py), the dynamic records
that the rules read (records.py) and the audit rows (audit.py)."""

from .archive import (
    Contact,
    Customer,
    CustomerClass,
    CustomerKey,
    Grade,
    ImportJob,
    Nature,
    OwnershipEvent,
    OwnershipKind,
    Pool,
    Settlement,
    Source,
)
from .audit import ExportLog
from .credit import CreditEvaluation, CreditFactor, CreditGradeRule, CreditWeight
from .records import Deal, FollowUp, InquiryCall, Referral, VisitPhoto
from .summary import ActivityMonth, ActivityWatermark

__all__ = [
    "ActivityMonth",
    "ActivityWatermark",
    "Contact",
    "CreditEvaluation",
    "CreditFactor",
    "CreditGradeRule",
    "CreditWeight",
    "Customer",
    "CustomerClass",
    "CustomerKey",
    "Deal",
    "ExportLog",
    "FollowUp",
    "Grade",
    "ImportJob",
    "InquiryCall",
    "Nature",
    "OwnershipEvent",
    "OwnershipKind",
    "Pool",
    "Referral",
    "Settlement",
    "Source",
    "VisitPhoto",
]
