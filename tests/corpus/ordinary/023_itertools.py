import itertools as it
print(list(it.permutations("abc", 2)))
print(list(it.combinations(range(4), 2)))
print(list(it.product([0, 1], repeat=2)))
print(list(it.accumulate([1, 2, 3, 4])))
print(list(it.chain([1, 2], (3,), "ab")))
print([(k, len(list(g))) for k, g in it.groupby("aaabbc")])
print(list(it.islice(it.count(10, 5), 4)), list(it.zip_longest("ab", "xyz", fillvalue="-")))
print(list(it.starmap(pow, [(2, 3), (3, 2)])), list(it.takewhile(lambda x: x < 3, range(10))))
