"""The pipeline: intake → process → translate → post → deliver, as jobs in the store.

* :func:`intake` archives and records a received payload (committed before the sender is
  told "accepted") and queues its processing.
* :class:`Worker` runs the queued stages (:mod:`.stages`) with retries and review.
* :func:`build` wires a :class:`Gateway` from :class:`Settings`.
The pipeline is the only layer that knows every other layer.
"""

from __future__ import annotations

from .context import Gateway, build
from .intake import Intaken, intake
from .settings import Settings, SettingsError
from .worker import Worker, pending

__all__ = ["Gateway", "Intaken", "Settings", "SettingsError", "Worker", "build", "intake", "pending"]
