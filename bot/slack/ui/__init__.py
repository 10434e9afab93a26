"""Pure Block Kit builders: domain objects in, Slack blocks and views out (no I/O)."""
