"""The ``pixlake`` command line: one module per command group."""
