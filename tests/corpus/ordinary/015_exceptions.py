class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code

def risky(n):
    if n == 0:
        raise AppError(400, "zero not allowed")
    return 10 / n

for n in (2, 0, "x"):
    try:
        print(risky(n))
    except AppError as e:
        print("app error", e.code, e)
    except TypeError as e:
        print("type error:", type(e).__name__)
    else:
        print("no error")
    finally:
        print("checked", n)
try:
    try:
        {}["missing"]
    except KeyError as e:
        raise ValueError("wrapped") from e
except ValueError as e:
    print(e, "<-", repr(e.__cause__))
