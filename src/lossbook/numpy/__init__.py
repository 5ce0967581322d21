"""Reference implementations of every lossbook loss in NumPy, with hand-derived gradients.

Every function takes array-likes (lists too), targets first and predictions second,
keyword-only parameters, and ``reduction`` in {"mean", "sum", "none"}. Every loss
``<name>`` has an analytic gradient ``<name>_grad`` with the same signature that
returns d(loss)/d(prediction) for the given reduction (for ``"none"``: of the sum).
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
