"""Searching the executions list: name, status, started between two moments (the reader's
local time, sent with its offset), duration, text in the input or output, and sorting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F, Q, QuerySet
from django.http import QueryDict

from console.models import Execution

STATUSES = [s for s, _ in Execution.STATUSES]
# Column key -> the field it sorts by.
SORTS = {"name": "name", "status": "status", "machine": "machine_name", "start": "start_date",
         "stop": "stop_date", "duration": "duration"}
FIELDS = ("q", "status", "after", "before", "min_s", "max_s", "text", "sort", "tz")


@dataclass
class Search:
    """The filters as the user typed them (echoed back into the form) and the sort."""

    values: dict[str, str]

    @classmethod
    def from_query(cls, query: QueryDict) -> Search:
        return cls({name: query.get(name, "").strip() for name in FIELDS})

    @property
    def sort(self) -> str:
        key = self.values["sort"].lstrip("-")
        return self.values["sort"] if key in SORTS else "-start"

    @property
    def active(self) -> bool:
        return any(self.values[name] for name in FIELDS if name not in ("sort", "tz"))

    def apply(self, rows: QuerySet[Execution]) -> QuerySet[Execution]:
        v = self.values
        rows = rows.annotate(duration=ExpressionWrapper(F("stop_date") - F("start_date"), output_field=DurationField()))
        if v["q"]:
            rows = rows.filter(name__icontains=v["q"])
        if v["status"] in STATUSES:
            rows = rows.filter(status=v["status"])
        if v["text"]:
            rows = rows.filter(Q(input__contains=v["text"]) | Q(output__contains=v["text"]))
        rows = self._dates(rows)
        rows = self._durations(rows)
        return rows.order_by(self._order(), "-pk")

    def _dates(self, rows: QuerySet[Execution]) -> QuerySet[Execution]:
        after, before = self._moment("after"), self._moment("before")
        if after:
            rows = rows.filter(start_date__gte=after)
        if before:
            rows = rows.filter(start_date__lte=before)
        return rows

    def _durations(self, rows: QuerySet[Execution]) -> QuerySet[Execution]:
        low, high = _seconds(self.values["min_s"]), _seconds(self.values["max_s"])
        if low is not None:
            rows = rows.filter(duration__gte=timedelta(seconds=low))
        if high is not None:
            rows = rows.filter(duration__lte=timedelta(seconds=high))
        return rows

    def _moment(self, name: str) -> datetime | None:
        """A datetime-local value (the reader's clock) in UTC, using the offset the page sent."""
        try:
            local = datetime.fromisoformat(self.values[name])
            offset = int(self.values["tz"] or 0)  # minutes, as JavaScript's getTimezoneOffset()
        except ValueError:
            return None
        return (local + timedelta(minutes=offset)).replace(tzinfo=UTC)

    def _order(self) -> Any:
        sort = self.sort
        field = F(SORTS[sort.lstrip("-")])
        return field.desc(nulls_last=True) if sort.startswith("-") else field.asc(nulls_last=True)

    def columns(self) -> dict[str, dict[str, str]]:
        """For each sortable column: the query that sorts by it (or reverses it) and an arrow."""
        current = self.sort
        out = {}
        for key in SORTS:
            descending = current == key
            query = QueryDict(mutable=True)
            query.update({k: v for k, v in self.values.items() if v and k != "sort"})
            query["sort"] = f"-{key}" if descending else key
            arrow = "▲" if current == key else "▼" if current == f"-{key}" else ""
            out[key] = {"query": query.urlencode(), "arrow": arrow}
        return out

    def query(self) -> str:
        """The filters and sort as a query string (for the pager's links)."""
        query = QueryDict(mutable=True)
        query.update({k: v for k, v in self.values.items() if v})
        return query.urlencode()


def _seconds(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value >= 0 else None
