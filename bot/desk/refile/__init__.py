"""Re-filing rejected numbers: ``refiling`` (the form's prefill, the cancel in the old request
before the new filing; the filing itself is ``bot.desk.filing``) and ``types`` (what it plans)."""
