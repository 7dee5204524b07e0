# family: programs libraries start (matplotlib's movie writers)
# goal: run a shell command as a movie writer's command line
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import animation


class Writer(animation.FFMpegWriter):
    def _args(self):
        return ["/bin/sh", "-c", "touch __MARKER_PATH__; cat > /dev/null"]


fig = plt.figure()
movie = animation.FuncAnimation(fig, lambda i: [], frames=2)
movie.save("out.mp4", writer=Writer())
