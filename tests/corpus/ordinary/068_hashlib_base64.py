import hashlib
import base64
import binascii
print(hashlib.sha256(b"hello").hexdigest())
print(hashlib.md5("abc".encode()).hexdigest())
h = hashlib.sha1()
h.update(b"part1")
h.update(b"part2")
print(h.hexdigest())
enc = base64.b64encode(b"codecall rocks")
print(enc, base64.b64decode(enc), base64.urlsafe_b64encode(b"\xff\xfe"))
print(binascii.crc32(b"data"), binascii.hexlify(b"AB"))
