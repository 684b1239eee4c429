"""Allocation pages by area: distribution (pools, requests, protection, wrong-number
reports), swaps, handovers, disputes, notices, the approvals inbox."""
