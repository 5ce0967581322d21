"""Differentiable PyTorch implementations of every lossbook loss.

Same names and signatures as :mod:`lossbook.numpy`; inputs and outputs are tensors on
whatever device the inputs live on (cuda, mps, cpu). Class axis last.
"""

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
from .chunked import chunked_cross_entropy
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
    "chunked_cross_entropy",
]
