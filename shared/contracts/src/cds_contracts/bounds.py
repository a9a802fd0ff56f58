"""Bounded primitives: the one statement of what a text, an id, a number or a date may be, used by the
event contracts and by every service's request models and query/path parameters alike.

Why one place: a value a producer accepts must be one every consumer can store. PostgreSQL refuses NUL
in text, `integer` columns stop at 2^31-1, and date arithmetic near year 1 or 9999 overflows; so the
bounds below are those of the narrowest column that stores such a value anywhere, and of the range of
dates the platform deals with. A contract test checks every bounded event field against the consumers'
real columns (tests/contracts).

- `Id`: `^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$` (codes such as `VP.SO-KHCN`, `CB-000123`, `U:2024`): safe in
  a URL path segment, a Kafka key and a file name, so an id that is accepted can always be addressed.
- `Line`: one line of text, at most 300 characters, no control characters (C0 or DEL).
- `Text`: free text, at most 4000 characters; tab, line feed and carriage return allowed, no other control.
- `Int32`/`Count`: what an `integer` column stores; `Int64`/`Money`: `bigint`, bounded to ±(2^53-1) so
  every JSON reader, JavaScript included, reads the number exactly.
- `Day`: a date written `YYYY-MM-DD` between 1900-01-01 and 2199-12-31 (no timestamps or numbers).
- `Moment`: a date-time with a UTC offset, in the same range once converted to UTC.
- `Year`: 1900..2199. `Finite`: a float that is a number (no NaN or infinity). `Flag`: true or false.
- Tighter bounds compose: `Annotated[Count, Field(ge=1, le=10_000)]` (a plain `= Field(max_length=...)`
  after an alias is NOT applied by pydantic, so always write the Annotated form).
- `Many[T]` (tuples, in events) and `ManyList[T]` (lists, in requests): at most `MAX_ITEMS` items.
- `NOT_NULL`: on an optional field, "may be omitted, but never sent as null".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

T = TypeVar("T")

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
ID_MAX = 64
LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
LINE_MAX = 300
TEXT_MAX = 4000
INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)
SAFE_INT_MAX = 2**53 - 1  # bigint columns; the largest integer a JSON double carries exactly
MAX_ITEMS = 1000
MIN_DAY = dt.date(1900, 1, 1)
MAX_DAY = dt.date(2199, 12, 31)
MIN_YEAR, MAX_YEAR = MIN_DAY.year, MAX_DAY.year
MIN_MOMENT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
MAX_MOMENT = dt.datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}:?\d{2})")


def _day_text(value: Any) -> Any:
    """Only `YYYY-MM-DD` (or a date object): pydantic would read a number such as 1.17e-38 as a Unix time."""
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("date_type", "Input should be a date (YYYY-MM-DD), not a date-time")
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise PydanticCustomError("date_format", "Input should be a date written YYYY-MM-DD")


def _day_range(value: dt.date) -> dt.date:
    if not MIN_DAY <= value <= MAX_DAY:
        raise PydanticCustomError(
            "date_range", "Input should be a date between {lo} and {hi}", {"lo": str(MIN_DAY), "hi": str(MAX_DAY)}
        )
    return value


def _moment_text(value: Any) -> Any:
    if isinstance(value, dt.datetime) or (isinstance(value, str) and _ISO_MOMENT.fullmatch(value)):
        return value
    raise PydanticCustomError("datetime_format", "Input should be a date-time with a UTC offset (RFC 3339)")


def _moment_range(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError("timezone_aware", "Input should have a UTC offset")
    try:
        utc = value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not MIN_MOMENT <= utc <= MAX_MOMENT or not MIN_DAY <= value.date() <= MAX_DAY:
        raise PydanticCustomError(
            "datetime_range",
            "Input should be a date-time between {lo} and {hi} (UTC)",
            {"lo": MIN_MOMENT.isoformat(), "hi": MAX_MOMENT.isoformat()},
        )
    return value


Id = Annotated[str, Field(min_length=1, max_length=ID_MAX, pattern=ID_PATTERN)]
Line = Annotated[str, Field(min_length=1, max_length=LINE_MAX, pattern=LINE_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=TEXT_MAX, pattern=TEXT_PATTERN)]


# Numbers and flags in bodies are strict: pydantic would otherwise read `true` as 1, `"7"` as 7 and
# 1e20 as an integer. (Query parameters arrive as text: they use `Year` or plain bounded ints.)
Int32 = Annotated[int, Field(strict=True, ge=INT32_MIN, le=INT32_MAX)]
Count = Annotated[int, Field(strict=True, ge=0, le=INT32_MAX)]
Int64 = Annotated[int, Field(strict=True, ge=-SAFE_INT_MAX, le=SAFE_INT_MAX)]
Money = Annotated[int, Field(strict=True, ge=0, le=SAFE_INT_MAX)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Finite = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Flag = Annotated[bool, Field(strict=True)]
Day = Annotated[dt.date, BeforeValidator(_day_text), AfterValidator(_day_range)]
Moment = Annotated[dt.datetime, BeforeValidator(_moment_text), AfterValidator(_moment_range)]
Many = Annotated[tuple[T, ...], Field(max_length=MAX_ITEMS)]
ManyList = Annotated[list[T], Field(max_length=MAX_ITEMS)]


class _NotNull:
    """Marker for `Annotated[X | None, NOT_NULL] = None`: omitting the field leaves None, sending
    `null` is refused (422), and the JSON Schema shows the field as X, not X-or-null."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(_refuse_null, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        out = handler(schema)
        alternatives = [s for s in out.get("anyOf", []) if s.get("type") != "null"]
        if "anyOf" in out and len(alternatives) == 1:
            rest = {k: v for k, v in out.items() if k != "anyOf"}
            return {**alternatives[0], **rest}
        if "anyOf" in out:
            out["anyOf"] = alternatives
        return out


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("not_null", "Input should not be null; omit the field instead")
    return value


NOT_NULL = _NotNull()
