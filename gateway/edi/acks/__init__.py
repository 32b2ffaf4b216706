"""Acknowledgements: pure builders of 997, 999, TA1 and CONTRL, and readers of inbound acks."""
