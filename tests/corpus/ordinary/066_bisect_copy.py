import bisect
import copy
grades = [60, 70, 80, 90]
print([("FDCBA")[bisect.bisect(grades, s)] for s in [55, 65, 85, 95]])
xs = [1, 3, 5]
bisect.insort(xs, 4)
print(xs, bisect.bisect_left(xs, 3))
orig = {"a": [1, 2], "b": {"c": 3}}
shallow = copy.copy(orig)
deep = copy.deepcopy(orig)
orig["a"].append(99)
print(shallow["a"], deep["a"])
class Node:
    def __init__(self, v):
        self.v = v
        self.kids = []
n = Node(1)
n.kids.append(Node(2))
m = copy.deepcopy(n)
m.kids[0].v = 20
print(n.kids[0].v, m.kids[0].v)
