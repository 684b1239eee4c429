"""Every write to the customer archive. Services take `actor` and `now`; views call them."""

from .editing import contact_add, contact_update, customer_update, customers_refresh_completeness
from .invalid import customer_declare_invalid, customer_restore_valid
from .ownership import ownership_transfer
from .records import (
    InquiryOutcome,
    RecordError,
    deal_confirm,
    deal_record,
    deal_restarts_clock,
    followup_amend,
    followup_log,
    holder_at,
    inquiry_log,
    referral_record,
    referral_verify,
)
from .registration import customer_register

__all__ = [
    "InquiryOutcome",
    "RecordError",
    "deal_confirm",
    "deal_record",
    "deal_restarts_clock",
    "holder_at",
    "referral_verify",
    "followup_amend",
    "followup_log",
    "inquiry_log",
    "referral_record",
    "contact_add",
    "contact_update",
    "customer_declare_invalid",
    "customer_register",
    "customer_restore_valid",
    "customer_update",
    "customers_refresh_completeness",
    "ownership_transfer",
]
