"""edigw: an EDI trading-partner gateway for Odoo.

The package is layered as ../shared/DESIGN.md draws it: ``edi`` (syntax) at the bottom,
then the domain, adapters, pipeline and faces (``cli``, ``web``). Each layer imports only
the layers below it.
"""

__version__ = "0.1.0"
