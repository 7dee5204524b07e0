import string
print(string.ascii_lowercase, string.digits, string.punctuation[:5])
t = string.Template("$who likes $what")
print(t.substitute(who="ann", what="tea"), t.safe_substitute(who="bob"))
print(string.capwords("hello big world"))
f = string.Formatter()
print(f.format("{0}-{x}", 1, x=2))
