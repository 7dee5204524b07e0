s = "  Hello, World! Hello!  "
print(s.strip(), s.lower(), s.upper())
print(s.count("Hello"), s.find("World"), s.replace("Hello", "Bye"))
print(s.split(","), "-".join(["a", "b", "c"]))
print("abc".center(9, "*"), "42".zfill(5), "title me".title())
print("a,b,,c".split(","), "x y  z".split())
print("racecar"[::-1], "python".startswith("py"), "file.csv".endswith((".csv", ".tsv")))
print("tab\tsep".expandtabs(4), repr("line\n"))
