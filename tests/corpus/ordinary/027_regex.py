import re
text = "Call 555-1234 or 555-9876; email ann@example.com, bob@test.org"
print(re.findall(r"\d{3}-\d{4}", text))
for m in re.finditer(r"(\w+)@(\w+)\.(\w+)", text):
    print(m.group(0), m.group(1), m.groups(), m.span())
pat = re.compile(r"(?P<area>\d{3})-(?P<num>\d{4})")
print(pat.search(text).groupdict())
print(re.sub(r"\d", "#", "a1b22c333"), re.split(r"[;,]\s*", "a; b,c"))
print(bool(re.fullmatch(r"[a-z]+", "abc")), re.sub(r"(\w+) (\w+)", r"\2 \1", "hello world"))
