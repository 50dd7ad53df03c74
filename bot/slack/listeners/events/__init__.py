"""Listeners for this surface arrive with later features."""
