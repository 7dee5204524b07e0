"""How values cross the box's wall, both ways: JSON, with tagged DataFrames and arrays as Arrow bytes.

Nothing is ever pickled: a value from the sandbox is data, never code. Loaded on both sides, so only
the standard library at import time (pandas and pyarrow are imported when a frame crosses). The tool
bridge speaks length-prefixed frames of it over a unix socket; the runtime's results travel as one
Jupyter display_data message of RESULT_MIME.
"""

from __future__ import annotations

import base64
import json
import math
import struct
from typing import Any

from sandbox.errors import WireError

__all__ = ["HEADER", "MAX_FRAME", "RESULT_MIME", "WireError", "decode", "dumps", "encode", "loads", "recv_frame",
           "send_frame"]  # fmt: skip

#: The MIME type of the one display_data message the in-box runtime publishes per call: its result.
RESULT_MIME = "application/vnd.codecall.result+json"
HEADER = struct.Struct(">I")
MAX_FRAME = 512 * 1024 * 1024


def _is_dataframe(value: Any) -> bool:
    return type(value).__name__ in ("DataFrame", "Series") and type(value).__module__.startswith("pandas")


def _is_ndarray(value: Any) -> bool:
    return type(value).__name__ == "ndarray" and type(value).__module__ == "numpy"


def _frame_to_b64(frame: Any) -> str:
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=True)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode()


def _frame_from_b64(text: str) -> Any:
    import pyarrow as pa

    with pa.ipc.open_stream(base64.b64decode(text)) as reader:
        return reader.read_pandas()


def encode(value: Any) -> Any:
    """A JSON-able form of `value`; raises WireError for what cannot cross."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, (list, tuple)):
        items = [encode(v) for v in value]
        return items if isinstance(value, list) else {"$tuple": items}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"$dict": {k: encode(v) for k, v in value.items()}}
        return {"$items": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"$set": [encode(v) for v in value]}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    if _is_dataframe(value):
        series = type(value).__name__ == "Series"
        frame = value.to_frame() if series else value
        return {"$series" if series else "$frame": _frame_to_b64(frame)}
    if _is_ndarray(value):
        return {"$ndarray": encode(value.tolist()), "dtype": str(value.dtype)}
    if hasattr(value, "item") and type(value).__module__ == "numpy":  # numpy scalar
        return encode(value.item())
    raise WireError(
        f"a value of type {type(value).__name__} cannot cross the sandbox boundary "
        "(JSON-able values, bytes, tuples, sets, numpy arrays and pandas DataFrames/Series can)"
    )


def decode(data: Any) -> Any:
    """The value `encode` described."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "$dict" in data:
        return {k: decode(v) for k, v in data["$dict"].items()}
    if "$tuple" in data:
        return tuple(decode(v) for v in data["$tuple"])
    if "$items" in data:
        return {decode(k): decode(v) for k, v in data["$items"]}
    if "$set" in data:
        return {decode(v) for v in data["$set"]}
    if "$bytes" in data:
        return base64.b64decode(data["$bytes"])
    if "$float" in data:
        return float(data["$float"])
    if "$frame" in data:
        return _frame_from_b64(data["$frame"])
    if "$series" in data:
        frame = _frame_from_b64(data["$series"])
        return frame.iloc[:, 0]
    if "$ndarray" in data:
        import numpy

        return numpy.array(decode(data["$ndarray"]), dtype=data["dtype"])
    return {k: decode(v) for k, v in data.items()}


def dumps(value: Any) -> bytes:
    return json.dumps(encode(value), separators=(",", ":")).encode()


def loads(raw: bytes | str) -> Any:
    return decode(json.loads(raw))


def send_frame(sock: Any, payload: bytes) -> None:
    sock.sendall(HEADER.pack(len(payload)) + payload)


def recv_frame(sock: Any) -> bytes | None:
    """One length-prefixed frame, or None when the peer closed."""
    header = _recv_exact(sock, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > MAX_FRAME:
        raise WireError(f"frame of {size} bytes is larger than the limit of {MAX_FRAME}")
    return _recv_exact(sock, size)


def _recv_exact(sock: Any, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
