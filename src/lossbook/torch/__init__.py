"""Differentiable PyTorch implementations of every lossbook loss.

Same names and signatures as :mod:`lossbook.numpy`; inputs and outputs are tensors on
whatever device the inputs live on (cuda, mps, cpu). Class axis last.
"""

from ..catalog import import_families
from .chunked import chunked_cross_entropy

__all__ = [*import_families(__name__, globals()), "chunked_cross_entropy"]
