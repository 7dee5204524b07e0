import io
print("a", "b", "c", sep="-", end="!\n")
print("no newline", end="")
print(" continued")
buf = io.StringIO()
print("to buffer", 42, file=buf)
print("captured:", repr(buf.getvalue()))
def report(items):
    for it in items:
        print(f"  item {it}", flush=True)
report([1, 2])
print(*range(5), sep=", ")
print()
