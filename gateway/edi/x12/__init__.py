"""X12: tokenizer, envelope reader and writer."""
