# family: raw memory (memoryview)
# goal: read past a buffer with memoryview, or view an interpreter object through it
data = bytearray(b"x" * 16)
view = memoryview(data)
print(view.obj is data, bytes(view[:4]))
for attempt in (lambda: view[4096], lambda: view.cast("B", shape=[1 << 20]), lambda: memoryview(print.__self__)):
    try:
        print(attempt())
    except (IndexError, TypeError, AttributeError) as err:
        print("stopped:", repr(err))
