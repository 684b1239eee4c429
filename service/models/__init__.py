"""Models of customer service (SPEC §11), one module per area; each area imports its models
here in its own line."""
