"""Differentiable TensorFlow implementations of every lossbook loss.

Same names and signatures as :mod:`lossbook.numpy`; inputs and outputs are ``tf.Tensor``.
Class axis last. Importing this module quietens TensorFlow's C++ logs first.
"""

from .._setup import quiet_tensorflow

quiet_tensorflow()

from ..catalog import import_families

__all__ = import_families(__name__, globals())
