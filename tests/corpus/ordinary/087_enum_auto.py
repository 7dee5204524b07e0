from enum import Enum, auto, unique

@unique
class Status(Enum):
    NEW = auto()
    RUNNING = auto()
    DONE = auto()
    def is_final(self):
        return self is Status.DONE
    @classmethod
    def parse(cls, text):
        return cls[text.upper()]

print([(s.name, s.value) for s in Status], Status.parse("done").is_final())
print(Status.RUNNING in Status, len(Status), Status.NEW.__class__.__name__)
