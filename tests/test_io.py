"""Value I/O: parsing, printing, checking and files (npy without numpy)."""
import math

import numpy as np
import pytest

from iree_lite.runtime import io


def test_parse_forms():
    t = io.parse_value("2x2xi32=[1 2][3 4]")
    assert (t.shape, t.element, t.values()) == ((2, 2), "i32", [1, 2, 3, 4])
    assert io.parse_value("3xf32=1.5").values() == [1.5] * 3
    assert io.parse_value("f32=2.25").shape == ()
    assert io.parse_value("4xf32=1,2, 3 ,4").values() == [1, 2, 3, 4]
    assert io.parse_value("-12", "i32").value == -12
    assert io.parse_value("(ignored)") is io.IGNORED


@pytest.mark.parametrize("text,message", [
    ("3xf32=1 2", "OUT_OF_RANGE; input data string underflow: dst_i=2 < element_capacity=3"),
    ("2xf32=1 2 3", "OUT_OF_RANGE; output data overflow: element_capacity=2 < dst_i=2"),
    ("2xi8=300", "OUT_OF_RANGE; value `300` does not fit i8"),
    ("2xf32=x", "INVALID_ARGUMENT; parsing value `x` as f32"),
    ("2x-1xf32=1", "INVALID_ARGUMENT; invalid shape `2x-1xf32`"),
])
def test_parse_errors(text, message):
    with pytest.raises(io.IoError) as e:
        io.parse_value(text)
    assert str(e.value) == message


def test_coerce():
    assert io.coerce(io.parse_value("i32=-12"), "i32").value == -12
    assert io.coerce(io.parse_value("7"), "f32").value == 7.0
    with pytest.raises(io.IoError, match="expected a tensor"):
        io.coerce(io.parse_value("7"), "tensor<2xf32>")


def test_npy_round_trip_and_detection_by_magic(tmp_path):
    for arr in (np.arange(6, dtype=np.float32).reshape(2, 3), np.array([True, False]), np.int8([-1, 5]),
                np.float16([0.5, -2]), np.float64(3.5)):
        path = tmp_path / "x.data"   # not .npy: detected by content
        path.write_bytes(io.npy_bytes(io.HostTensor(arr.shape, {"float32": "f32", "bool": "i1", "int8": "i8",
                                                                "float16": "f16", "float64": "f64"}[arr.dtype.name],
                                                   bytearray(arr.tobytes()))))
        assert np.array_equal(np.load(path, allow_pickle=False), arr)
        back = io.parse_value(f"@{path}")
        assert back.shape == arr.shape and bytes(back.data) == arr.tobytes()


def test_npy_append_gives_consecutive_records(tmp_path):
    path = tmp_path / "o.npy"
    for v in (1.0, 2.0):
        io.write_output(f"+{path}", io.parse_value(f"2xf32={v}"))
    with open(path, "rb") as f:
        assert np.load(f).tolist() == [1, 1] and np.load(f).tolist() == [2, 2]


@pytest.mark.parametrize("data", [b"\x93NUMPY", b"\x93NUMPY\x01\x00\xff\x00{'descr'", b"\x93NUMPY\x09\x00\x00\x00",
                                  b"\x93NUMPY\x01\x00\x10\x00{'descr': 'O'}   \n"])
def test_malformed_npy(tmp_path, data):
    path = tmp_path / "bad.npy"
    path.write_bytes(data)
    with pytest.raises(io.IoError, match="malformed .npy"):
        io.parse_value(f"@{path}")


def test_raw_binary_files(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(np.float32([1, 2]).tobytes())
    assert io.parse_value(f"2xf32=@{path}").values() == [1, 2]
    with pytest.raises(io.IoError, match="has 8 bytes but 3xf32 needs 12"):
        io.parse_value(f"3xf32=@{path}")
    io.write_output(f"@{tmp_path / 'o.bin'}", io.parse_value("2xi16=-1"))
    assert (tmp_path / "o.bin").read_bytes() == b"\xff\xff\xff\xff"


def test_printing():
    assert io.format_value_text(io.parse_value("2xf32=-nan inf")) == "2xf32=-NAN INF"
    assert io.format_value_text(io.parse_value("2xbf16=1.5 -3e38")) == "2xbf16=1.5 -3.00406E+38"
    assert io.format_result(2, io.HostScalar("index", 5)) == "result[2]: i64=5\n"
    assert io.format_result(0, io.HostScalar("i1", 1)) == "result[0]: i32=1\n"
    assert io.format_result(0, io.HostScalar("f64", 1e-7)) == "result[0]: f64=1e-07\n"


def test_compare_modes():
    a = io.parse_value("2xf32=1 2")
    assert io.compare(0, io.parse_value("2xf32=1.00001 2"), a) is None
    assert io.compare(0, io.parse_value("2xf32=1.00001 2"), a, equality_mode="exact").startswith(
        "[FAILED] result[0]: element at index 0 (1) does not match the expected (1.00001)")
    assert io.compare(0, io.parse_value("2xf32=nan 2"), io.parse_value("2xf32=nan 2")) is None
    assert io.compare(0, io.parse_value("2xf32=1.1 2"), a, thresholds={"f32": 0.2}) is None
    assert io.compare(0, io.HostScalar(None, 3), io.HostScalar("i32", 3)) is None
    # As iree-run-module: equal elements match even under a negative tolerance, unequal ones then never do.
    assert io.compare(0, io.parse_value("2xf32=1 2"), a, thresholds={"f32": -1.0}) is None
    assert io.compare(0, io.parse_value("2xf32=1 2.5"), a, thresholds={"f32": -1.0}).startswith(
        "[FAILED] result[0]: element at index 1 (2) does not match the expected (2.5)")
    # An infinite tolerance takes any actual value, but an infinite expected value only itself.
    assert io.compare(0, a, io.parse_value("2xf32=1 inf"), thresholds={"f32": math.inf}) is None
    assert io.compare(0, io.parse_value("2xf32=1 inf"), a, thresholds={"f32": math.inf}).startswith(
        "[FAILED] result[0]: element at index 1 (2) does not match the expected (INF)")
    assert io.compare(0, io.HostScalar(None, 4), io.HostScalar("i32", 3)) == (
        "[FAILED] result[0]: value i32=3 does not match the expected i32=4\n")
