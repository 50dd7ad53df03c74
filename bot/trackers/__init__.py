"""Adapters for issue trackers (GitHub, Jira), one module each behind the Tracker port."""
