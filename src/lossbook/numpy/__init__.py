"""Reference implementations of every lossbook loss in NumPy, with hand-derived gradients.

Every function takes array-likes (lists too), targets first and predictions second,
keyword-only parameters, and ``reduction`` in {"mean", "sum", "none"}. Every loss
``<name>`` has an analytic gradient ``<name>_grad`` with the same signature that
returns d(loss)/d(prediction) for the given reduction (for ``"none"``: of the sum).
"""

from ..catalog import import_families

__all__ = import_families(__name__, globals())
