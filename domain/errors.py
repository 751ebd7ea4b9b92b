"""The few things that can go wrong, named for what happened."""


class DomainError(Exception):
    """Base of every error the domain reports."""


class ItemNotFound(DomainError):
    def __init__(self, item_id: int) -> None:
        super().__init__(f"Item {item_id} not found")
        self.item_id = item_id


class ItemAlreadyExists(DomainError):
    """An exported item was to be restored under an id another item already has."""

    def __init__(self, item_id: int) -> None:
        super().__init__(f"Item {item_id} already exists")
        self.item_id = item_id


class InvalidInput(DomainError):
    """Input that breaks a rule; `field` names the offending field, `message` the rule."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidItem(InvalidInput):
    """An item's data breaks a rule."""


class BatchTooLarge(InvalidInput):
    """A batch holds more items than one is allowed to."""

    def __init__(self, count: int, most: int) -> None:
        super().__init__(
            "items", f"a batch holds at most {most} items, not {count}: send the rest in another"
        )
        self.most = most


class StorageUnavailable(DomainError):
    """The store cannot be reached or is overloaded; retrying later may succeed."""


class InvalidQuery(InvalidInput):
    """A listing was asked for with parameters out of bounds."""


class PreconditionFailed(DomainError):
    """The caller made the change conditional on versions the item is no longer at."""

    def __init__(self, item_id: int, current: int) -> None:
        super().__init__(f"Item {item_id} is at version {current}, which the request did not expect")
        self.item_id = item_id
        self.current = current


class IdempotencyKeyReused(DomainError):
    """An idempotency key came back with a different request than the one it first came with."""

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was already used with a different request")


class IdempotencyKeyInFlight(DomainError):
    """The first request with this idempotency key is still being processed."""

    def __init__(self) -> None:
        super().__init__("A request with this Idempotency-Key is still being processed; retry later")


class InvalidCursor(InvalidQuery):
    """A pagination cursor that this service did not issue, was altered, or belongs to another listing."""

    def __init__(self, message: str) -> None:
        super().__init__("cursor", message)


class FeedPositionPruned(DomainError):
    """A feed reader asked for changes after a position older than the feed still keeps."""

    def __init__(self) -> None:
        super().__init__(
            "Changes after this cursor have been pruned: resync from GET /items/, then follow the feed "
            "from the cursor GET /changes/head gives"
        )


class BrokerUnavailable(DomainError):
    """The message broker cannot be reached or did not confirm a message in time."""
