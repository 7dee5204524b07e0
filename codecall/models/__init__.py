"""Model backends: local transformers (the bundled default) and any OpenAI-compatible server."""

from __future__ import annotations

import os
from pathlib import Path

from codecall.errors import ModelError
from codecall.models.base import Generation, GenerationRequest, Model, Serialized
from codecall.models.openai import OpenAICompatible
from codecall.models.scripted import Scripted
from codecall.models.transformers import Transformers

__all__ = [
    "Generation", "GenerationRequest", "Model", "OpenAICompatible", "Scripted", "Serialized", "Transformers",
    "resolve_model",
]

MODEL_ENV = "CODECALL_MODEL"  #: the model name for a URL spec without `#model`


def resolve_model(spec: str | None, *, guide: bool = True) -> Model:
    """A model from a CLI-style spec: None -> the bundled model; `http(s)://host/v1#name` -> a server
    (the name after `#`, else $CODECALL_MODEL); a folder or .gguf path -> a local transformers model;
    `scripted:FILE.json` -> canned replies (`Scripted.from_file`), for tests, not a language model.
    `guide` turns guided decoding on or off for a local model; other models are never guided."""
    if spec is None:
        return Transformers(guide=guide)
    if spec.startswith("scripted:"):
        return Scripted.from_file(spec.removeprefix("scripted:"))
    if spec.startswith(("http://", "https://")):
        base_url, _, name = spec.partition("#")
        name = name or os.environ.get(MODEL_ENV, "")
        if not name:
            raise ModelError(f"which model at {base_url}? write it as {base_url}#MODEL or set ${MODEL_ENV}")
        return OpenAICompatible(base_url, name)
    if Path(spec).expanduser().exists():
        return Transformers(spec, guide=guide)
    raise ModelError(f"model {spec!r} is neither an http(s):// URL nor an existing folder or .gguf file")
