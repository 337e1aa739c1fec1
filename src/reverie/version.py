"""The package's version, in a module of its own so code below the public package (the
tracer's instrumentation scope) can name it without importing upward."""

__version__ = "0.1.0"
