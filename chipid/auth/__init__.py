"""Chip authenticity protocols run over the secure channel: Active Authentication and Chip Authentication."""
