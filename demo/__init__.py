"""The demo: a bundled week of mentions replayed through the whole pipeline."""
