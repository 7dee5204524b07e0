# Item and attribute stores inside tuple targets and chained targets: CPython's order of evaluation.
trace = []


def tag(name, value):
    trace.append(name)
    return value


class Recorder(list):
    def __setitem__(self, index, value):
        trace.append(f"store [{index}]={value}")
        super().__setitem__(index, value)


class Obj:
    def __setattr__(self, name, value):
        trace.append(f"store .{name}={value}")
        super().__setattr__(name, value)


seq, obj = Recorder([0, 0, 0]), Obj()
seq[0], obj.x = tag("rhs", (1, 2))
print(seq, obj.x, trace)
trace.clear()

seq[tag("index", 1)], obj.y = tag("rhs", (3, 4))
print(seq, obj.y, trace)
trace.clear()

left, right = Recorder([0, 0]), Recorder([0, 0])
left[tag("i", 0)] = right[tag("j", 1)] = tag("value", 9)
print(left, right, trace)
trace.clear()

obj.a, seq[2] = seq[1], obj.b = tag("pair", (7, 8))
print(obj.a, obj.b, seq, trace)
trace.clear()

[obj.z, (seq[0], obj.w)] = 5, (6, 7)
print(trace)
trace.clear()

table = {}
table[tag("k1", "a")], table[tag("k2", "b")] = tag("v", [1, 2])
print(table, trace)
