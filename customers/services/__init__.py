"""Every write to the customer archive. Services take `actor` and `now`; views call them."""

from .editing import contact_add, contact_update, customer_update, customers_refresh_completeness
from .ownership import ownership_transfer
from .records import (
    InquiryOutcome,
    RecordError,
    deal_record,
    followup_amend,
    followup_log,
    inquiry_log,
    referral_record,
)
from .registration import customer_register

__all__ = [
    "InquiryOutcome",
    "RecordError",
    "deal_record",
    "followup_amend",
    "followup_log",
    "inquiry_log",
    "referral_record",
    "contact_add",
    "contact_update",
    "customer_register",
    "customer_update",
    "customers_refresh_completeness",
    "ownership_transfer",
]
