with open("corpus_scratch.txt", "w") as f:
    f.write("line one\nline two\n")
with open("corpus_scratch.txt") as f:
    print(f.read().splitlines())
