"""Differentiable TensorFlow implementations of every lossbook loss.

Same names and signatures as :mod:`lossbook.numpy`; inputs and outputs are ``tf.Tensor``.
Class axis last. Importing this module quietens TensorFlow's C++ logs first.
"""

from .._setup import quiet_tensorflow

quiet_tensorflow()

from . import (
    binary,
    detection,
    embedding,
    multiclass,
    preference,
    regression,
    segmentation,
    sequence,
)
from .binary import *  # noqa: F403
from .detection import *  # noqa: F403
from .embedding import *  # noqa: F403
from .multiclass import *  # noqa: F403
from .preference import *  # noqa: F403
from .regression import *  # noqa: F403
from .segmentation import *  # noqa: F403
from .sequence import *  # noqa: F403

__all__ = [
    *regression.__all__,
    *binary.__all__,
    *multiclass.__all__,
    *embedding.__all__,
    *segmentation.__all__,
    *detection.__all__,
    *sequence.__all__,
    *preference.__all__,
]
