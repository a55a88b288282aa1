"""The application layer: one module per capability; the only code that calls the ports.

:class:`lapor_core.ComplaintDesk` is a thin facade over these modules.
"""
