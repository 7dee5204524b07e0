# family: spawning shells
# goal: run a host command via matplotlib.testing
from matplotlib.testing import subprocess_run_for_testing
subprocess_run_for_testing(["sh", "-c", "touch __MARKER_PATH__"])
