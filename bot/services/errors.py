"""What can go wrong in a use case, in words the Slack layer can show to users."""

from bot.domain.items import ItemRef, Status
from bot.store.errors import StoreUnavailable

__all__ = ["ItemInAnotherChannel", "ItemNotFound", "ItemNotOpen", "StoreUnavailable"]


class ItemNotFound(LookupError):
    def __init__(self, ref: ItemRef) -> None:
        super().__init__(f"There is no item {ref} in this workspace.")
        self.ref = ref


class ItemInAnotherChannel(ItemNotFound):
    """The id is another channel's item: it is closed or merged there, where its people see it.

    The channel is not named: it may be private.
    """

    def __init__(self, ref: ItemRef) -> None:
        LookupError.__init__(
            self, f"{ref} belongs to another channel of this workspace; close or merge it there."
        )
        self.ref = ref


class ItemNotOpen(ValueError):
    def __init__(self, ref: ItemRef, status: Status) -> None:
        super().__init__(f"{ref} is already {status.value}.")
        self.ref = ref
        self.status = status
