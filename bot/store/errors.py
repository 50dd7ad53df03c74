"""Failures of the store that callers must tell users about."""


class StoreUnavailable(RuntimeError):
    """The database did not answer (down, unreachable, locked too long). Nothing was saved."""
