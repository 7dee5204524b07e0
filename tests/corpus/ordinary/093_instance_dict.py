class Rec:
    def __init__(self, **kw):
        self.__dict__.update(kw)
    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in sorted(self.__dict__.items()))
        return f"Rec({fields})"
r = Rec(b=2, a="x")
r.c = [1]
print(r, sorted(r.__dict__), type(r).__name__)
print(sorted(k for k in dir(r) if not k.startswith("__")))
