"""talent: a keyboard-first terminal app for talent and affiliate managers."""

__version__ = "0.1.0"
