"""Trading partners: profiles, our own identifiers, crosswalks and secrets, from a ``partners/`` folder.

One folder per partner, ``partners/<name>/``, holds ``partner.toml`` (who the partner is, what
it trades through which map, how we acknowledge it, transport and secret references) and
``crosswalks/*.csv`` (its item, unit and party codes to ours). ``partners/_self.toml`` holds our
own identifiers. The public surface:

* :func:`load_partners` reads a folder into a :class:`Registry`, which finds a partner by the
  ids on an envelope and tells whether an envelope is addressed to us; :func:`ack_policy`
  turns a partner's ``[acks]`` into the syntax layer's :class:`~gateway.edi.AckPolicy`.
* :class:`Crosswalks` answers ``item_for``, ``uom_for`` and ``party_for``.
* :func:`check_partner` and :func:`create_partner` are what ``edigw partners check`` and
  ``edigw partners add`` do.
* Every mistake in a partner's files is a :class:`Problem` (file, line, key or column, fix);
  refusals are :class:`PartnersError`, and unreadable secrets :class:`SecretError`.
"""

from __future__ import annotations

from .crosswalks import Crosswalks, ItemMatch, PartyMatch, UomMatch, load_crosswalks
from .profile import MapRef, PartnerId, PartnersError, Problem, Profile, SecretRef, read_profile, render_profile
from .registry import (
    CheckReport,
    NewPartner,
    Partner,
    Registry,
    Us,
    ack_policy,
    check_maps,
    check_partner,
    create_partner,
    load_partner,
    load_partners,
)
from .secrets import SecretError, check_secrets, read_secret

__all__ = [
    "CheckReport",
    "Crosswalks",
    "ItemMatch",
    "MapRef",
    "NewPartner",
    "Partner",
    "PartnerId",
    "PartnersError",
    "PartyMatch",
    "Problem",
    "Profile",
    "Registry",
    "SecretError",
    "SecretRef",
    "UomMatch",
    "Us",
    "ack_policy",
    "check_maps",
    "check_partner",
    "check_secrets",
    "create_partner",
    "load_crosswalks",
    "load_partner",
    "load_partners",
    "read_profile",
    "read_secret",
    "render_profile",
]
