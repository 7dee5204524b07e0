errors = []
for v in ["1", "x", "3", None]:
    try:
        errors.append(int(v))
    except (ValueError, TypeError) as e:
        errors.append(type(e).__name__)
print(errors)
eg = ExceptionGroup("many", [ValueError("a"), TypeError("b")])
try:
    raise eg
except ExceptionGroup as g:
    print(g.message, [type(e).__name__ for e in g.exceptions])
    match_, rest = g.split(ValueError)
    print(len(match_.exceptions), len(rest.exceptions))
try:
    raise RuntimeError("outer")
except RuntimeError as e:
    e.add_note("extra context")
    print(e.__notes__)
