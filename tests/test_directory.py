"""The partner directory in check(): our own ids decide what is addressed to us; a profile, the acks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from gateway.edi.check import AckPolicy, Counter, check
from gateway.edi.results import Status
from gateway.partners import load_partners
from gateway.partners.registry import PartnerDirectory

from .conftest import ROOT, SAMPLES

GOOD = (SAMPLES / "850-requisition.edi").read_bytes()
ORDERS = (SAMPLES / "orders-d96a.edi").read_bytes()


@dataclass
class Fixed:
    ours: tuple[str, str]
    policy: AckPolicy = field(default_factory=AckPolicy)

    def policy_for(self, standard: str, sender: tuple[str, str], usage: str = "") -> AckPolicy:
        return self.policy

    def is_ours(self, standard: str, receiver: tuple[str, str]) -> bool:
        return receiver == self.ours


def test_x12_not_addressed_to_us_is_ta1_009(now: datetime) -> None:
    [c] = list(check(GOOD, numbers=Counter(), now=now, directory=Fixed(("ZZ", "SOMEONEELSE"))))
    assert c.result.status is Status.REJECTED
    assert [f.code for f in c.result.findings] == ["interchange.not_addressed_to_us"]
    [ta1] = [a.payload.decode() for a in c.acks if a.kind == "TA1"]
    assert "TA1*000000101*261128*0930*R*009" in ta1
    assert [a.kind for a in c.acks] == ["TA1"]


def test_edifact_not_addressed_to_us_is_contrl_error_7(now: datetime) -> None:
    [c] = list(check(ORDERS, numbers=Counter(), now=now, directory=Fixed(("14", "0000000000000"))))
    assert c.result.status is Status.REJECTED
    assert "UCI+EU20261128A+4012345000009:14+5412345000013:14+4+7'" in c.acks[0].payload.decode()


def test_the_profile_of_the_sender_sets_the_acks(now: datetime) -> None:
    directory = Fixed(("ZZ", "STMARYCENTRAL"), AckPolicy(functional="none", ta1="never"))
    [c] = list(check(GOOD, numbers=Counter(), now=now, directory=directory))
    assert c.result.status is Status.ACCEPTED
    assert c.acks == []


def test_the_example_partners_folder_as_a_directory(now: datetime) -> None:
    directory = PartnerDirectory(load_partners(ROOT / "partners"))
    [c] = list(check(GOOD, numbers=Counter(), now=now, directory=directory))
    assert c.result.status is Status.ACCEPTED  # addressed to STMARYCENTRAL, ours in partners/_self.toml
    meridian = (ROOT / "partners" / "meridian" / "samples" / "810-invoice.edi").read_bytes()
    [c] = list(check(meridian, numbers=Counter(), now=now, directory=directory))
    assert c.result.status is Status.ACCEPTED
    assert [a.kind for a in c.acks] == ["997"]  # Meridian's profile: 997, TA1 only when asked
