"""Who may do what with complaints, yearly evaluations, surveys, revisit plans and competitors
(SPEC §1, §11), as named checks (see `crm.rights` for the two kinds). Each area adds its
checks in its own block below."""

# --- complaints ---

# --- yearly evaluation ---

# --- surveys ---

# --- revisits ---

# --- competitors ---
