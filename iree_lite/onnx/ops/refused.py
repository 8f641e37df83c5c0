"""Ops iree-lite refuses with a reason: outputs whose shape depends on the
input values in ways not yet lowered (NonZero and Compress are, in
data_dependent), and random ones."""
from ..emitter import NodeError


def refuse(reason):
    def convert(node):
        raise NodeError(f"operator '{node.op_type}' is not supported: {reason}")
    return convert


DATA_DEPENDENT = refuse("its output shape depends on the input values")
RANDOM = refuse("random number generation is not available")

CONVERTERS = {
    "Unique": DATA_DEPENDENT, "NonMaxSuppression": DATA_DEPENDENT, "Bernoulli": RANDOM, "RandomNormal": RANDOM,
    "RandomUniform": RANDOM,
    "RandomNormalLike": RANDOM, "RandomUniformLike": RANDOM, "Multinomial": RANDOM,
}
