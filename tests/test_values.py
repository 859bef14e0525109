"""Results pass through the store's encoding: what comes back is exactly what went in, or an error."""
import datetime

import numpy as np
import pytest

from lecturekit.engine.values import Unstorable, decode, encode, published


def round_trip(value):
    return decode(encode(value, "demo"))


def test_plain_values_tuples_and_arrays_come_back_exactly():
    value = {"pair": (1.0, 2.0), "nested": [(1, "a"), {"x": None, "ok": True}], "big": 2**70, "tiny": 5e-324,
             "grid": np.arange(6.0).reshape(2, 3), "ints": np.arange(3, dtype=np.int16)}
    back = round_trip(value)
    assert back["pair"] == (1.0, 2.0) and isinstance(back["pair"], tuple)
    assert back["nested"][0] == (1, "a") and isinstance(back["nested"][0], tuple)
    assert back["big"] == 2**70 and back["tiny"] == 5e-324 and back["nested"][1] == {"x": None, "ok": True}
    assert back["grid"].dtype == np.float64 and np.array_equal(back["grid"], value["grid"])
    assert back["ints"].dtype == np.int16 and np.array_equal(back["ints"], value["ints"])


def test_memory_order_is_kept_because_it_decides_the_last_digits_of_sums():
    fortran = np.asfortranarray(np.random.default_rng(0).normal(size=(5, 3)))
    back = round_trip({"X": fortran})["X"]
    assert back.flags.f_contiguous and np.array_equal(back, fortran)


def test_numpy_scalars_become_python_numbers_on_every_path():
    back = round_trip({"f": np.float64(1.5), "i": np.int64(3), "b": np.bool_(True)})
    assert type(back["f"]) is float and type(back["i"]) is int and type(back["b"]) is bool


def test_decoded_arrays_are_writable_and_share_nothing():
    data = encode({"w": np.zeros(3)}, "demo")
    one, two = decode(data)["w"], decode(data)["w"]
    one[0] = 5.0
    assert two[0] == 0.0 and decode(data)["w"][0] == 0.0


@pytest.mark.parametrize("value, where", [
    ({"by_step": {1: 0.5}}, "by_step"), ({"x.y": 1.0}, "x.y"), ({"s": {1, 2}}, "demo.s"),
    ({"z": 1 + 2j}, "demo.z"), ({"d": datetime.date(2026, 1, 1)}, "demo.d"),
    ({"runs": [{"o": object()}]}, "demo.runs[0].o"), ({"a": np.array([object()])}, "demo.a")])
def test_what_cannot_come_back_exactly_is_refused_with_its_path(value, where):
    with pytest.raises(Unstorable) as caught:
        encode(value, "demo")
    assert where in str(caught.value)


def test_published_values_drop_arrays_and_read_like_json():
    tree = decode(encode({"w": np.zeros(2), "pair": (1.0, np.ones(2)), "n": 3}, "demo"), with_arrays=False)
    assert published(tree) == {"pair": [1.0, None], "n": 3}
