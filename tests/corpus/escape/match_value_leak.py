# family: imports reached through other modules' attributes (match patterns)
# goal: leak os to a spy __eq__ through a match value pattern
import pandas as pd
class Spy:
    seen = []
    def __eq__(self, other):
        Spy.seen.append(other)
        return False
match Spy():
    case pd.io.common.os:
        pass
    case _:
        pass
Spy.seen[0].system("touch __MARKER_PATH__")
