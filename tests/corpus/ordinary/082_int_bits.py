n = 0b1011_0110
print(n, n.bit_length(), bin(n).count("1"), n >> 2, n << 1, n & 0xF, n | 1, n ^ 0xFF, ~n)
print((255).to_bytes(2, "big"), int.from_bytes(b"\x01\x00", "little"), 10 ** 30 + 1)
print(7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** -1, 1_000_000, 0o17, float("1e-3"), int(3.99))
print(1 / 3, round(1 / 3, 3), (0.1).as_integer_ratio()[1] > 0, 3.0.is_integer())
