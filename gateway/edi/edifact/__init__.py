"""EDIFACT: tokenizer, envelope checks, CONTRL."""
