s = "naïve café ☕"
b = s.encode("utf-8")
print(b, len(s), len(b))
print(b.decode("utf-8") == s, s.encode("ascii", errors="replace"))
print(bytes([65, 66, 67]), bytearray(b"abc").upper(), b"hello".hex(), bytes.fromhex("4142"))
ba = bytearray(b"xyz")
ba[0] = 88
ba += b"!"
print(ba, list(b"AB"), ord("€"), chr(8364))
