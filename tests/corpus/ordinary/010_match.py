def describe(obj):
    match obj:
        case 0:
            return "zero"
        case int(n) if n < 0:
            return f"negative {n}"
        case [x, y]:
            return f"pair {x},{y}"
        case [first, *rest]:
            return f"list starting {first} (+{len(rest)})"
        case {"kind": "circle", "r": r}:
            return f"circle r={r}"
        case str() as s:
            return "string " + s
        case _:
            return "other"

for value in [0, -3, [1, 2], [1, 2, 3], {"kind": "circle", "r": 2}, "hi", 4.5]:
    print(describe(value))
