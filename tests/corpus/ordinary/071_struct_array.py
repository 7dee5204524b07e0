import struct
import array
packed = struct.pack("<ihd", 7, -2, 1.5)
print(packed, len(packed), struct.unpack("<ihd", packed), struct.calcsize("<ihd"))
arr = array.array("i", [1, 2, 3])
arr.append(4)
print(arr, arr.tolist(), arr.itemsize, sum(arr))
