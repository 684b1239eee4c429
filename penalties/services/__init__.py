"""Every write to the ledger goes through these services."""

from .ledger import (
    LedgerError,
    ManualEntry,
    ledger_confirm,
    ledger_record,
    ledger_reverse,
    ledger_waive,
    month_close,
)
from .scans import penalties_scan

__all__ = [
    "LedgerError",
    "ManualEntry",
    "ledger_confirm",
    "ledger_record",
    "ledger_reverse",
    "ledger_waive",
    "month_close",
    "penalties_scan",
]
