import time
t = time.struct_time((2024, 5, 17, 8, 9, 10, 4, 138, 0))
print(time.strftime("%Y/%m/%d %H:%M:%S %a", t))
print(time.strptime("2020-02-29", "%Y-%m-%d")[:3])
start = time.perf_counter()
elapsed = time.perf_counter() - start
print(elapsed >= 0, type(time.time()).__name__)
