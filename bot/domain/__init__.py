"""Pure product rules: no Slack, no SQL. Everything here is testable with plain objects."""
