"""The HTTP faces: health and metrics now; the AS2 endpoint and the review console later."""
