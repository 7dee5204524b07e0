import io
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot([1, 2, 3], [4, 1, 9], label="line")
ax.set_title("demo")
ax.legend()
buf = io.BytesIO()
fig.savefig(buf, format="png")
print(buf.getvalue()[:8], ax.get_title(), len(ax.lines))
plt.close(fig)
