"""Opaque pagination cursors: a listing or change feed position, signed so that only ones we issued
are accepted.

A cursor is `base64url(JSON payload) "." base64url(HMAC-SHA256 tag)`. A listing's payload is
[sort, q, value, id]: it is bound to the sort and search it was issued for, and using it with
another is a client error, not a new listing. A feed's is ["changes", transaction, sequence].
"""

import base64
import binascii
import hmac
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from domain.errors import InvalidCursor
from domain.feed import FeedPosition
from domain.listing import SORT_KEYS, Position, Sort, SortField, SortValue

TAG_BYTES = 16
CURSOR_MAX_LENGTH = 1024

# How a sort value of each type is written in a cursor, and read back; the domain's SORT_KEYS says
# which type each sort field has.
TextForm = tuple[Callable[[Any], str], Callable[[str], SortValue]]
_AS_TEXT: dict[type[SortValue], TextForm] = {
    str: (str, str),
    datetime: (datetime.isoformat, datetime.fromisoformat),
}


def _text_form(field: SortField) -> TextForm:
    return _AS_TEXT[SORT_KEYS[field].value_type]


# base64url (RFC 4648 section 5) from standard base64, in C calls only: every next page signs one.
_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def _encode(raw: bytes) -> str:
    return binascii.b2a_base64(raw, newline=False).translate(_URL_SAFE).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _tag(self, payload: bytes) -> bytes:
        return hmac.digest(self._key, payload, "sha256")[:TAG_BYTES]

    def encode(self, position: Position, sort: Sort, search: str | None) -> str:
        # The id sorts by itself: its value is the id, carried once.
        value = None if sort.field is SortField.ID else _text_form(sort.field)[0](position.value)
        # orjson's compact UTF-8; json.loads reads it back, and a cursor's bytes are opaque to clients.
        return self._signed(orjson.dumps([sort.token, search, value, position.id]))

    def decode(self, cursor: str, sort: Sort, search: str | None) -> Position:
        payload = self._verified(cursor)
        try:
            issued_sort, issued_search, value, item_id = json.loads(payload)
        except (ValueError, TypeError):
            raise InvalidCursor("is malformed") from None
        if (issued_sort, issued_search) != (sort.token, search):
            raise InvalidCursor("belongs to another listing: keep the sort and q it was issued with")
        if type(item_id) is not int:
            raise InvalidCursor("is malformed")
        return Position(self._sort_value(value, item_id, sort.field), item_id)

    def encode_position(self, position: FeedPosition) -> str:
        payload = json.dumps(["changes", position.transaction, position.sequence], separators=(",", ":"))
        return self._signed(payload.encode())

    def decode_position(self, cursor: str) -> FeedPosition:
        try:
            kind, transaction, sequence = json.loads(self._verified(cursor))
        except (ValueError, TypeError):
            raise InvalidCursor("is malformed") from None
        if kind != "changes" or type(transaction) is not int or type(sequence) is not int:
            raise InvalidCursor("is not a change feed cursor")
        return FeedPosition(transaction, sequence)

    def _signed(self, payload: bytes) -> str:
        return f"{_encode(payload)}.{_encode(self._tag(payload))}"

    def _verified(self, cursor: str) -> bytes:
        encoded_payload, dot, encoded_tag = cursor.partition(".")
        try:
            payload, tag = _decode(encoded_payload), _decode(encoded_tag)
        except (binascii.Error, ValueError):
            raise InvalidCursor("is not one this service issued") from None
        if not dot or not hmac.compare_digest(tag, self._tag(payload)):
            raise InvalidCursor("is not one this service issued")
        return payload

    @staticmethod
    def _sort_value(value: object, item_id: int, field: SortField) -> SortValue:
        if field is SortField.ID:
            if value is None:
                return item_id
        elif isinstance(value, str):
            try:
                return _text_form(field)[1](value)
            except ValueError:
                pass
        raise InvalidCursor("is malformed")
