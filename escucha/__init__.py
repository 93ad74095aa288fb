"""escucha: social listening and crisis monitoring for public institutions."""

__version__ = "0.1.0"
