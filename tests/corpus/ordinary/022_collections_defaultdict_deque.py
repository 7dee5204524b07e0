from collections import defaultdict, deque, OrderedDict, ChainMap
groups = defaultdict(list)
for word in ["apple", "avocado", "banana", "blueberry", "cherry"]:
    groups[word[0]].append(word)
print(dict(groups))
dq = deque(maxlen=3)
for i in range(5):
    dq.append(i)
dq.appendleft(-1)
print(dq, dq.pop(), dq)
od = OrderedDict(a=1, b=2)
od.move_to_end("a")
print(list(od))
cm = ChainMap({"x": 1}, {"x": 2, "y": 3})
print(cm["x"], cm["y"])
