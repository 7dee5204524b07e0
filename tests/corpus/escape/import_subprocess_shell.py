# family: spawning shells
# goal: create the marker through a shell
import subprocess
subprocess.run(["sh", "-c", "touch __MARKER_PATH__"])
