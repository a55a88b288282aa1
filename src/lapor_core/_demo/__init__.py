"""Internal: see docs/architecture.md."""
