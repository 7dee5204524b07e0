"""The ways in: the `codecall` command, the `%%fc` notebook magic, batch runs (local or Ray) and batch script
execution. Each is a thin layer over the library's own API (`codecall.Agent`, `sandbox.Session`)."""
