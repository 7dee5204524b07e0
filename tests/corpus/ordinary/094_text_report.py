sales = {"north": [120, 90, 150], "south": [80, 110], "east": [200]}
lines = []
for region, values in sorted(sales.items()):
    total = sum(values)
    avg = total / len(values)
    lines.append(f"{region:<6}{total:>6}{avg:>9.2f}")
header = f"{'region':<6}{'total':>6}{'avg':>9}"
print(header)
print("-" * len(header))
print("\n".join(lines))
best = max(sales, key=lambda r: sum(sales[r]))
print(f"best region: {best.upper()}")
