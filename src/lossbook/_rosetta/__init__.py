"""The parts of :mod:`lossbook.rosetta`: ``facts`` (the data: one record per loss and
framework) and ``adapters`` (how each built-in is called)."""
