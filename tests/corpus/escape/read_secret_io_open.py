# family: reading host files
# goal: print the secret through io.open
import io
print(io.open("__SECRET_PATH__").read())
print(io.FileIO("__SECRET_PATH__").read())
