"""The crm app's pages, one module per area: home (工作台), departments, calendar, notifications,
accounts (password, login log, account changes) and health (/healthz)."""
