"""What a local model has read, kept on disk, so a new process does not read it again.

`codecall ask`, a fresh notebook's first `%%fc` cell and each batch worker are new processes: without this
each reads its whole prompt through the model (about 1 s on the bundled model for the system message, the
tools and the worked example) and the guide's task-free prompt for its choices' bias (about 0.5 s), where a
process that ran a task before reads only the new task's tokens. Two things are kept, keyed by the exact
token ids: the KV cache of a prompt's task-free beginning, and the task-free scores of the guide's
candidates. A store is one folder per model (weights, dtype, transformers version), readable by its user
only (a prompt may show a table's first rows); files are written atomically and the least recently used
go first.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MAX_PREFIXES = 8  #: KV caches kept (the bundled model's cache of a 300-token prefix is about 14 MB)
MAX_SCORE_FILES = 512  #: task-free prompts whose scores are kept (a few hundred bytes each)
MIN_PREFIX = 32  #: a shorter beginning is not worth a file


def digest(ids: Sequence[int]) -> str:
    return hashlib.sha256(json.dumps(list(ids)).encode()).hexdigest()[:32]


class PromptStore:
    """A folder of prefix KV caches (`prefix-<n>-<digest>.safetensors`) and task-free scores
    (`scores-<digest>.json`) for one model."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load_prefix(self, ids: Sequence[int], config: Any) -> tuple[int, Any] | None:
        """The longest kept beginning of `ids` shorter than `ids` (a model must read at least one token) as
        (its length, a DynamicCache over it), or None."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file
        from transformers import DynamicCache

        for path in sorted(self._files("prefix-*.safetensors"), key=_length, reverse=True):
            n = _length(path)
            if n < len(ids) and path.name == _prefix_name(ids[:n]):
                try:
                    tensors = load_file(path)
                    layers = [(tensors[f"k{i}"], tensors[f"v{i}"]) for i in range(len(tensors) // 2)]
                except (OSError, KeyError, ValueError, SafetensorError):  # damaged: read afresh, written again
                    path.unlink(missing_ok=True)
                    return None
                os.utime(path)  # recently used
                return n, DynamicCache(ddp_cache_data=layers, config=config)
        return None

    def save_prefix(self, ids: Sequence[int], cache: Any) -> None:
        """Keep the first len(ids) positions of `cache` (which holds at least that many) for `ids`."""
        from safetensors.torch import save_file

        if len(ids) < MIN_PREFIX or (self.folder / _prefix_name(ids)).exists():
            return
        n = len(ids)
        tensors = {}
        for i, layer in enumerate(cache.layers):
            tensors[f"k{i}"] = layer.keys[:, :, :n].contiguous()
            tensors[f"v{i}"] = layer.values[:, :, :n].contiguous()
        self._write(_prefix_name(ids), lambda tmp: save_file(tensors, tmp))
        self._forget_oldest("prefix-*.safetensors", MAX_PREFIXES)

    def scores(self, prompt: Sequence[int]) -> dict[tuple[int, ...], float]:
        """The task-free scores kept for `prompt`: candidate token ids to summed log-probability."""
        try:
            rows = json.loads((self.folder / f"scores-{digest(prompt)}.json").read_text(encoding="utf-8"))
            return {tuple(ids): float(score) for ids, score in rows}
        except (OSError, ValueError, TypeError):
            return {}

    def save_scores(self, prompt: Sequence[int], scores: dict[tuple[int, ...], float]) -> None:
        text = json.dumps([[list(ids), score] for ids, score in scores.items()])
        self._write(f"scores-{digest(prompt)}.json", lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        self._forget_oldest("scores-*.json", MAX_SCORE_FILES)

    def _files(self, pattern: str) -> list[Path]:
        return list(self.folder.glob(pattern)) if self.folder.is_dir() else []

    def _write(self, name: str, write: Any) -> None:
        """`write(path)` to a temporary file, then renamed into place: a reader never sees half a file. A
        store that cannot be written (a read-only home, a full disk) only costs the time it would save."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # a prompt may show data: the user's own
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}.")
            os.close(fd)
            try:
                write(tmp)
                os.replace(tmp, self.folder / name)
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError:
            pass

    def _forget_oldest(self, pattern: str, keep: int) -> None:
        files = self._files(pattern)
        if len(files) > keep:
            for path in sorted(files, key=_mtime)[: len(files) - keep]:
                path.unlink(missing_ok=True)


def _prefix_name(ids: Sequence[int]) -> str:
    return f"prefix-{len(ids)}-{digest(ids)}.safetensors"


def _length(path: Path) -> int:
    try:
        return int(path.name.split("-")[1])
    except (IndexError, ValueError):  # not a file of ours
        return 0


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
