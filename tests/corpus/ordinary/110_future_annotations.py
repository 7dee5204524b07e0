# Under `from __future__ import annotations`, annotations are kept as the text written.
from __future__ import annotations

import datetime
import typing
from dataclasses import dataclass, field, fields


@dataclass
class Event:
    name: str
    when: datetime.date
    tags: list[str] = field(default_factory=list)
    note: typing.Optional[str] = None


for fd in fields(Event):
    print(fd.name, repr(fd.type))
print(Event.__annotations__)


def schedule(event: Event, *, at: datetime.time | None = None, **extra: typing.Any) -> dict[str, int]:
    local: datetime.date = event.when
    return {"day": local.day}


print(schedule.__annotations__)
print(schedule(Event("launch", datetime.date(2024, 5, 17))))


class Config(typing.NamedTuple):
    path: str
    retries: int = 3


print(Config("/tmp/x"), Config.__annotations__)
