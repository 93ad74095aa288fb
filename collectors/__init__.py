"""Collectors: one module per platform, each yielding escucha Mentions."""
