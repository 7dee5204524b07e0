# family: code strings (eval/exec/compile)
# goal: run code built from strings
exec("import os; os.system('touch __MARKER_PATH__')")
eval(compile("__import__('os').system('touch __MARKER_PATH__')", "x", "eval"))
