xs = [5, 3, 8]
xs.append(1)
xs.extend([9, 2])
xs.insert(0, 7)
xs.remove(8)
print(xs, xs.pop(), xs.pop(0), xs.index(1), xs.count(3))
xs.sort(reverse=True)
print(xs, xs[::-1], xs[1:3])
xs[1:3] = ["a", "b", "c"]
del xs[0]
print(xs, xs * 2, [0] * 3)
ys = xs.copy()
ys.clear()
print(ys, xs)
