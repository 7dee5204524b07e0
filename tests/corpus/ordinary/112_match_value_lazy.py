# A dotted value pattern is looked up only when its case is tried.
class Settings:
    mode = "fast"


def pick(value):
    match value:
        case "fast":
            return "fast path"
        case Settings.missing:
            return "never reached for 'fast'"
    return "no match"


print(pick("fast"))
try:
    print(pick("slow"))
except AttributeError as err:
    print("AttributeError:", err)
