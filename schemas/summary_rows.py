"""The rows a run summary carries (rejections, league table, reminders listed), held so that
Prefect's engine does not walk them item by item.

A flow's return value is walked by the engine when the flow ends, looking for futures to
resolve (prefect 3.9 `resolve_futures_to_states`): every list, dict and model inside, item by
item. A summary holding the 4,000-row league table takes ~0.3 s to walk, and the clock's
summary of the day is walked again by the season flow. Our summaries never hold futures, so
nothing is lost by hiding their rows from that walk: a field typed `SummaryRows[T]` is a
`Sequence[T]` for the code (build it from a list), and holds a `FrozenRows`, which is not a
list, tuple, dict, dataclass or model, so the walk stops there. Validation, JSON and
`model_dump` treat it as a list. Pure; imports no Prefect.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Annotated, Any, TypeVar, get_args, overload

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

T = TypeVar("T")


class FrozenRows(Sequence[T]):
    """An immutable sequence of rows; equal to a list or tuple of the same rows."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._items: tuple[T, ...] = tuple(items)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return list(self._items[index])
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenRows):
            return self._items == other._items
        if isinstance(other, list | tuple):
            return list(self._items) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # rows are dicts and models: unhashable

    def __repr__(self) -> str:
        return f"FrozenRows({list(self._items)!r})"


class _AsFrozenRows:
    """Pydantic marker: validate a `Sequence[T]` field as a list of T, keep it as FrozenRows."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        args = get_args(source)
        item: Any = args[0] if args else Any
        items = handler.generate_schema(list[item])
        return core_schema.no_info_before_validator_function(
            _as_list,  # rows already frozen are validated again as a list: errors read the same
            core_schema.no_info_after_validator_function(FrozenRows, items),
            serialization=core_schema.plain_serializer_function_ser_schema(
                list, return_schema=items
            ),
        )


def _as_list(value: Any) -> Any:
    return list(value) if isinstance(value, FrozenRows) else value


SummaryRows = Annotated[Sequence[T], _AsFrozenRows()]
