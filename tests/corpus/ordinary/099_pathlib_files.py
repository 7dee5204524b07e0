from pathlib import Path

folder = Path("corpus_tmp_dir")
folder.mkdir(exist_ok=True)
(folder / "a.txt").write_text("alpha\nbeta\n")
(folder / "b.txt").write_text("gamma\n")
print(sorted(p.name for p in folder.glob("*.txt")))
print(sum(len(p.read_text().splitlines()) for p in folder.iterdir()))
for p in folder.iterdir():
    p.unlink()
folder.rmdir()
print(folder.exists())
