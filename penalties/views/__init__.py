"""Ledger pages (SPEC §7, §8), one module per area. Thin: scope through `entries_visible_to`
(404 outside it), shape the input with a form (`penalties.forms`), call one service, show its
message. A refusal writes nothing.

- `ledger`: the month's ledger, one entry, confirm / waive / reverse, the manager's queue
- `entries`: recording an entry by hand
- `months`: month totals, month close, the payroll export
- `company`: the GM's company overview (figures from `penalties.stats`)
"""
