"""The one exception type that every lossbook backend raises on bad input."""


class LossInputError(ValueError):
    """Bad input to a lossbook loss.

    A subclass of :class:`ValueError`, so ``except ValueError`` still catches it.
    The message always names the offending argument exactly as it is spelled in
    the signature, says what was expected and what was got, and how to fix it::

        hinge expects y_true in {-1, +1}; got values {0, 1}. Convert 0/1 labels with 2*y - 1.
    """
