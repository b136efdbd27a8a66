"""Runs an ONNX model with numpy alone: the bundled MiniLM without onnxruntime (66 MB installed).

The file is read with a small protobuf wire-format reader (no `onnx`/`protobuf` package) and its
graph run node by node in the file's order (ONNX graphs are stored topologically sorted). Only the
operators the bundled all-MiniLM-L6-v2 int8 export uses are implemented (its weights are int8 with a
float scale, dequantised by Cast and Mul, and its arithmetic is float32, as onnxruntime's); a model
using any other operator is refused at load, not mis-run.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

# ONNX TensorProto data types.
_DTYPES: dict[int, Any] = {
    1: np.float32,
    2: np.uint8,
    3: np.int8,
    5: np.int16,
    6: np.int32,
    7: np.int64,
    9: np.bool_,
    10: np.float16,
    11: np.float64,
}


def _varint(data: memoryview, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _fields(data: memoryview) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of one protobuf message."""
    i, end = 0, len(data)
    while i < end:
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 2:
            size, i = _varint(data, i)
            value, i = data[i : i + size], i + size
        elif wire == 5:
            value, i = data[i : i + 4], i + 4
        elif wire == 1:
            value, i = data[i : i + 8], i + 8
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _ints(wire: int, value: Any) -> list[int]:
    """A repeated int64 field's values, packed or not."""
    if wire == 0:
        return [_signed(value)]
    out, i = [], 0
    while i < len(value):
        item, i = _varint(value, i)
        out.append(_signed(item))
    return out


def _tensor(data: memoryview) -> tuple[str, np.ndarray]:
    dims: list[int] = []
    dtype, name, raw = 1, "", None
    floats: list[float] = []
    ints: list[int] = []
    for number, wire, value in _fields(data):
        if number == 1:
            dims.extend(_ints(wire, value))
        elif number == 2:
            dtype = value
        elif number == 8:
            name = bytes(value).decode()
        elif number == 9:
            raw = bytes(value)
        elif number == 4:
            floats.extend(struct.unpack(f"<{len(value) // 4}f", value) if wire == 2 else struct.unpack("<f", value))
        elif number in (5, 7):
            ints.extend(_ints(wire, value))
        elif number in (13, 14):
            raise ValueError("ONNX tensors with external data are not supported")
    kind = _DTYPES.get(dtype)
    if kind is None:
        raise ValueError(f"unsupported ONNX tensor type {dtype}")
    if raw is not None:
        array = np.frombuffer(raw, dtype=np.dtype(kind).newbyteorder("<")).astype(kind)
    elif floats:
        array = np.array(floats, dtype=kind)
    else:
        array = np.array(ints, dtype=kind)
    return name, array.reshape(dims)


def _attribute(data: memoryview) -> tuple[str, Any]:
    name, value = "", None
    ints: list[int] = []
    floats: list[float] = []
    for number, wire, item in _fields(data):
        if number == 1:
            name = bytes(item).decode()
        elif number == 2:
            value = struct.unpack("<f", item)[0]
        elif number == 3:
            value = _signed(item)
        elif number == 4:
            value = bytes(item)
        elif number == 5:
            value = _tensor(item)[1]
        elif number == 7:
            floats.extend(struct.unpack(f"<{len(item) // 4}f", item) if wire == 2 else struct.unpack("<f", item))
        elif number == 8:
            ints.extend(_ints(wire, item))
    if ints:
        value = ints
    elif floats:
        value = floats
    return name, value


class _Node:
    __slots__ = ("attributes", "inputs", "op", "outputs")

    def __init__(self, data: memoryview) -> None:
        self.inputs: list[str] = []
        self.outputs: list[str] = []
        self.op = ""
        self.attributes: dict[str, Any] = {}
        for number, _, value in _fields(data):
            if number == 1:
                self.inputs.append(bytes(value).decode())
            elif number == 2:
                self.outputs.append(bytes(value).decode())
            elif number == 4:
                self.op = bytes(value).decode()
            elif number == 5:
                key, item = _attribute(value)
                self.attributes[key] = item
            elif number == 7 and bytes(value) not in (b"", b"ai.onnx"):
                raise ValueError(f"unsupported ONNX operator domain {bytes(value).decode()!r}")


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to float32 precision (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7), in place where it can."""
    a = np.abs(x)
    t = 1.0 + np.float32(0.3275911) * a
    np.reciprocal(t, out=t)
    poly = np.float32(1.061405429) * t
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(coefficient)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    np.subtract(1.0, poly, out=poly)
    return np.copysign(poly, x, out=poly)


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if np.issubdtype(np.result_type(a, b), np.integer):
        return np.trunc(np.true_divide(a, b)).astype(np.result_type(a, b))
    return np.divide(a, b)


def _reshape(data: np.ndarray, shape: np.ndarray, allowzero: int = 0) -> np.ndarray:
    dims = [int(d) for d in shape]
    if not allowzero:
        dims = [data.shape[i] if d == 0 else d for i, d in enumerate(dims)]
    return data.reshape(dims)


def _slice(data: np.ndarray, starts: Any, ends: Any, axes: Any = None, steps: Any = None) -> np.ndarray:
    index = [slice(None)] * data.ndim
    axes = list(range(len(starts))) if axes is None else [int(a) % data.ndim for a in axes]
    steps = [1] * len(starts) if steps is None else steps
    for axis, start, end, step in zip(axes, starts, ends, steps, strict=True):
        # numpy slices clamp out-of-range bounds as ONNX does; int64 sentinels become None.
        start, end, step = int(start), int(end), int(step)
        huge = 1 << 62
        index[axis] = slice(None if abs(start) >= huge else start, None if abs(end) >= huge else end, step)
    return data[tuple(index)]


def _layer_norm(x: np.ndarray, scale: np.ndarray, bias: np.ndarray | None = None, **a: Any) -> np.ndarray:
    axes = tuple(range(a.get("axis", -1) % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=axes, keepdims=True)
    out = centred / np.sqrt(variance + np.float32(a.get("epsilon", 1e-5))) * scale
    return out + bias if bias is not None else out


def _softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = np.exp(x - x.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _unsqueeze(data: np.ndarray, axes: np.ndarray) -> np.ndarray:
    rank = data.ndim + len(axes)
    for axis in sorted(int(a) % rank for a in axes):
        data = np.expand_dims(data, axis)
    return data


def _squeeze(data: np.ndarray, axes: np.ndarray | None = None) -> np.ndarray:
    if axes is None:
        return np.squeeze(data)
    return np.squeeze(data, axis=tuple(int(a) % data.ndim for a in axes))


def _shape(data: np.ndarray, start: int = 0, end: int | None = None) -> np.ndarray:
    return np.array(data.shape[start:end], dtype=np.int64)


def _gather_nd(data: np.ndarray, indices: np.ndarray, batch_dims: int = 0) -> np.ndarray:
    if batch_dims:
        raise ValueError("GatherND with batch_dims is not supported")
    return data[tuple(indices[..., i] for i in range(indices.shape[-1]))]


def _expand(data: np.ndarray, shape: np.ndarray) -> np.ndarray:
    return np.array(np.broadcast_to(data, np.broadcast_shapes(data.shape, tuple(int(d) for d in shape))))


# Each operator: its inputs (None for an omitted optional one) and its attributes as keywords.
_OPS: dict[str, Callable[..., np.ndarray]] = {
    "Add": lambda a, b: a + b,
    "Sub": lambda a, b: a - b,
    "Mul": lambda a, b: a * b,
    "Div": _div,
    "MatMul": np.matmul,
    "Cast": lambda x, to: x.astype(_DTYPES[to]),
    "Reshape": _reshape,
    "Transpose": lambda x, perm=None: np.transpose(x, perm),
    "Slice": _slice,
    "Concat": lambda *xs, axis: np.concatenate(xs, axis=axis),
    "LayerNormalization": _layer_norm,
    "Shape": _shape,
    "Unsqueeze": _unsqueeze,
    "Squeeze": _squeeze,
    "Where": np.where,
    "Softmax": _softmax,
    "IsNaN": np.isnan,
    "Erf": _erf,
    "Gather": lambda data, indices, axis=0: np.take(data, indices, axis=axis),
    "Range": lambda start, limit, delta: np.arange(start, limit, delta, dtype=np.result_type(start, limit, delta)),
    "And": np.logical_and,
    "GreaterOrEqual": np.greater_equal,
    "Max": lambda *xs: np.maximum.reduce(np.broadcast_arrays(*xs)) if len(xs) > 1 else xs[0],
    "Expand": _expand,
    "GatherND": _gather_nd,
}
# Attributes that say nothing to a numpy evaluation.
_IGNORED = {"LayerNormalization": {"stash_type"}}


class NumpySession:
    """`run(None, feeds)` as onnxruntime's InferenceSession, for the operators above."""

    def __init__(self, model: bytes) -> None:
        graph = next((value for number, _, value in _fields(memoryview(model)) if number == 7), None)
        if graph is None:
            raise ValueError("not an ONNX model: no graph")
        self.constants: dict[str, np.ndarray] = {}
        self.nodes: list[_Node] = []
        self.outputs: list[str] = []
        for number, _, value in _fields(graph):
            if number == 1:
                self.nodes.append(_Node(value))
            elif number == 5:
                name, array = _tensor(value)
                self.constants[name] = array
            elif number == 12:
                self.outputs.append(next(bytes(v).decode() for n, _, v in _fields(value) if n == 1))
        unknown = {node.op for node in self.nodes} - set(_OPS) - {"Constant"}
        if unknown:
            raise ValueError(f"ONNX operators not supported without onnxruntime: {', '.join(sorted(unknown))}")
        self._fold_constants()

    def _fold_constants(self) -> None:
        """Evaluate once the nodes that depend on no input (the weights' dequantisation)."""
        remaining = []
        for node in self.nodes:
            if node.op == "Constant" or all(not name or name in self.constants for name in node.inputs):
                for name, value in zip(node.outputs, self._evaluate(node, self.constants), strict=False):
                    self.constants[name] = value
            else:
                remaining.append(node)
        self.nodes = remaining

    @staticmethod
    def _evaluate(node: _Node, values: dict[str, np.ndarray]) -> list[np.ndarray]:
        if node.op == "Constant":
            return [np.asarray(next(iter(node.attributes.values())))]
        inputs = [values[name] if name else None for name in node.inputs]
        while inputs and inputs[-1] is None:
            inputs.pop()
        ignored = _IGNORED.get(node.op, set())
        attributes = {k: v for k, v in node.attributes.items() if k not in ignored}
        result = _OPS[node.op](*inputs, **attributes)
        return [np.asarray(result)]

    def run(self, output_names: list[str] | None, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        values = dict(self.constants)
        values.update(feeds)
        for node in self.nodes:
            for name, value in zip(node.outputs, self._evaluate(node, values), strict=False):
                values[name] = value
        return [values[name] for name in (output_names or self.outputs)]
