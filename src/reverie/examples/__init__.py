"""Small example tools used by the ``reverie`` command and the documentation.

They are examples: they return fixed values and never call an outside service.
"""
