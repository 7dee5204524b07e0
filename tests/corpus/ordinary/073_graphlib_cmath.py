from graphlib import TopologicalSorter
import cmath
deps = {"app": {"lib", "utils"}, "lib": {"utils"}, "utils": set()}
ts = TopologicalSorter(deps)
print(list(ts.static_order()))
z = complex(3, 4)
print(abs(z), z.conjugate(), cmath.sqrt(-1), cmath.phase(1j), z.real, z.imag)
print(cmath.exp(1j * cmath.pi).real)
