def read_lines():
    for line in ["3,apple", "1,pear", "bad", "2,fig"]:
        yield line

def parse(lines):
    for line in lines:
        parts = line.split(",")
        if len(parts) == 2:
            yield int(parts[0]), parts[1]

def total(rows):
    count = 0
    for n, _ in rows:
        count += n
    return count

print(total(parse(read_lines())))
print(dict((name, n) for n, name in parse(read_lines())))
def echo():
    received = yield "ready"
    while True:
        received = yield f"got {received}"
e = echo()
print(next(e), e.send(1), e.send("two"))
