# dataclasses recognise ClassVar in annotation text under `from __future__ import annotations`.
from __future__ import annotations

import typing
from dataclasses import dataclass, fields
from typing import ClassVar


@dataclass
class Counter:
    name: str
    created: ClassVar[int] = 0
    limit: typing.ClassVar[int] = 10


print([fd.name for fd in fields(Counter)], Counter.created, Counter.limit)
print(Counter("c"))
