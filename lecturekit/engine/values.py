"""How a computation's result is stored, so that what comes back is what went in.

Every result passes through `encode` and `decode` before anything reads it,
on a cold build as on a warm one: downstream code sees the same types either
way. Kept exactly: dicts with string keys, lists, tuples, strings, numbers,
booleans, None and numpy arrays (numpy scalars become Python numbers).
Rejected, with the path of the offending value: other dict keys (an int key
would come back a string), dotted keys (results are addressed by dotted
names), sets, complex numbers, dates and any other object.
"""
import json
import math
import struct

import numpy as np

TUPLE, ARRAY = "\x00tuple", "\x00array"  # tags no string key can be (keys holding \x00 are refused)
OMITTED = object()  # an array left out by decode(with_arrays=False)


class Unstorable(ValueError):
    """A value the store cannot keep exactly; `path` says where in the result it is."""

    def __init__(self, path, reason):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason}")


def _encode(value, path, arrays):
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject or value.dtype.kind not in "biufc?":
            raise Unstorable(path, f"an array of {value.dtype} cannot be stored; use numbers")
        arrays.append(value)
        return {ARRAY: len(arrays) - 1}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf?":
        return value.item()
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise Unstorable(f"{path}[{key!r}]", f"a {type(key).__name__} key would come back as a string; "
                                                      "use string keys")
            if "." in key or "\x00" in key or not key:
                raise Unstorable(f"{path}[{key!r}]", "a key must be a non-empty name without '.'; "
                                                     "results are addressed by dotted names")
            out[key] = _encode(item, f"{path}.{key}", arrays)
        return out
    if isinstance(value, list):
        return [_encode(item, f"{path}[{i}]", arrays) for i, item in enumerate(value)]
    if isinstance(value, tuple):
        return {TUPLE: [_encode(item, f"{path}[{i}]", arrays) for i, item in enumerate(value)]}
    raise Unstorable(path, f"a {type(value).__module__}.{type(value).__qualname__} cannot be stored exactly; "
                           "use numbers, strings, lists, tuples, dicts or numpy arrays")


def encode(value, name):
    """Bytes of a result (a dict); raises Unstorable naming the path below `name`."""
    if not isinstance(value, dict):
        raise Unstorable(name, f"a computation must return a dict, not {type(value).__name__}")
    arrays = []
    tree = _encode(value, name, arrays)
    metas, offset, orders = [], 0, []
    for array in arrays:
        # Memory order is kept: it decides the order of floating-point sums, hence the last digits.
        order = "F" if array.flags.f_contiguous and not array.flags.c_contiguous else "C"
        metas.append([array.dtype.str, list(array.shape), offset, order])
        orders.append(order)
        offset += array.nbytes
    header = json.dumps({"tree": tree, "arrays": metas}, separators=(",", ":")).encode()
    return b"".join([struct.pack("<Q", len(header)), header, *(a.tobytes(order=o) for a, o in zip(arrays, orders))])


def decode(data, with_arrays=True):
    """The result `encode` was given; arrays are writable and share nothing with other decodes."""
    (length,) = struct.unpack_from("<Q", data)
    header = json.loads(bytes(data[8:8 + length]))
    buffer = bytearray(data[8 + length:]) if with_arrays else None
    arrays = []
    for dtype, shape, offset, order in header["arrays"]:
        if buffer is None:
            arrays.append(OMITTED)
            continue
        dtype = np.dtype(dtype)
        count = math.prod(shape)
        arrays.append(np.frombuffer(buffer, dtype, count, offset).reshape(shape, order=order))
    return _decode(header["tree"], arrays)


def _decode(tree, arrays):
    if isinstance(tree, dict):
        if TUPLE in tree:
            return tuple(_decode(item, arrays) for item in tree[TUPLE])
        if ARRAY in tree:
            return arrays[tree[ARRAY]]
        return {key: _decode(item, arrays) for key, item in tree.items()}
    if isinstance(tree, list):
        return [_decode(item, arrays) for item in tree]
    return tree


def published(value):
    """A decoded result without its arrays (figure data): what the prose and results.json show.

    An array inside a list leaves None in its place, so positions keep their meaning.
    """
    def is_array(v):
        return v is OMITTED or isinstance(v, np.ndarray)
    if isinstance(value, dict):
        return {k: published(v) for k, v in value.items() if not is_array(v)}
    if isinstance(value, (list, tuple)):  # a tuple becomes a list, as JSON has it: the same cold and warm
        return [None if is_array(v) else published(v) for v in value]
    return value
