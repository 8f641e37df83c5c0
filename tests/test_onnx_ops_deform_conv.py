"""DeformConv (2-D) against onnxruntime: groups, offset groups, strides,
dilations, pads, mask and bias, offsets that sample outside the input; and
its errors. Skips without onnx/onnxruntime."""
import numpy as np
import pytest

from onnx_op_models import check, check_on_real_iree, declared_model, node

from iree_lite.onnx import OnnxImportError, import_model

RNG = np.random.default_rng(59)


def rand(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def out_size(n, k, stride, dilation, pad):
    return (n + pad - dilation * (k - 1) - 1) // stride + 1


CASES = [dict(), dict(group=2), dict(offset_group=2), dict(strides=[2, 1], pads=[1, 0, 1, 2]),
         dict(dilations=[2, 1], pads=[1, 1, 1, 1], group=2, offset_group=2)]


@pytest.mark.parametrize("attrs", CASES)
@pytest.mark.parametrize("with_mask,with_bias", [(False, False), (True, True)])
def test_deform_conv(attrs, with_mask, with_bias):
    n, c, h, w, oc, k = 2, 4, 6, 5, 4, (3, 2)
    strides, dilations = attrs.get("strides", [1, 1]), attrs.get("dilations", [1, 1])
    pads = attrs.get("pads", [0] * 4)
    oh = out_size(h, k[0], strides[0], dilations[0], pads[0] + pads[2])
    ow = out_size(w, k[1], strides[1], dilations[1], pads[1] + pads[3])
    groups, offset_groups = attrs.get("group", 1), attrs.get("offset_group", 1)
    feeds = {"x": rand(n, c, h, w), "w": rand(oc, c // groups, *k),
             "offset": rand(n, offset_groups * k[0] * k[1] * 2, oh, ow, scale=2.0)}
    names = ["x", "w", "offset"]
    if with_bias or with_mask:
        feeds["b"] = rand(oc)
        names.append("b")
    if with_mask:
        feeds["m"] = rand(n, offset_groups * k[0] * k[1], oh, ow)
        names.append("m")
    check([node("DeformConv", names, kernel_shape=list(k), **attrs)], feeds, opset=19, rtol=1e-4, atol=1e-5)


def test_deform_conv_errors():
    model = declared_model(node("DeformConv", ["x", "w", "offset"]),
                           {"x": (np.float32, [1, 2, 5, 5, 5]), "w": (np.float32, [2, 2, 1, 1, 1]),
                            "offset": (np.float32, [1, 6, 5, 5, 5])}, {"y": (np.float32, [1, 2, 5, 5, 5])}, opset=19)
    with pytest.raises(OnnxImportError) as info:
        import_model(model)
    assert str(info.value) == ("node 'y' (DeformConv, opset 19): input [1, 2, 5, 5, 5]: only 2-D (N, C, H, W) "
                               "deformable convolution is supported")


def test_real_iree_runs_it(tmp_path, reference_iree):
    feeds = {"x": rand(1, 2, 5, 5), "w": rand(2, 2, 2, 2), "offset": rand(1, 8, 4, 4, scale=2.0), "b": rand(2),
             "m": rand(1, 4, 4, 4)}
    check_on_real_iree(tmp_path, reference_iree, [node("DeformConv", ["x", "w", "offset", "b", "m"])], feeds, ["y"],
                       opset=19)
