"""What can go wrong in a use case, in words the Slack layer can show to users."""

from bot.domain.items import ItemRef, Status
from bot.store.errors import StoreUnavailable

__all__ = ["ItemNotFound", "ItemNotOpen", "StoreUnavailable"]


class ItemNotFound(LookupError):
    def __init__(self, ref: ItemRef) -> None:
        super().__init__(f"There is no item {ref} in this workspace.")
        self.ref = ref


class ItemNotOpen(ValueError):
    def __init__(self, ref: ItemRef, status: Status) -> None:
        super().__init__(f"{ref} is already {status.value}.")
        self.ref = ref
        self.status = status
