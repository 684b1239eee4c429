"""The customer archive's pages, one module per area: archive (list, detail, register, edit,
contacts), records (follow-ups, deals, referrals, inquiries, timeline), worklist (资料补录),
invalid (无效客户), quality (duplicates report), excel (import/export), exports (export log)."""
