"""Error types raised by stance. Every message says what was wrong and what to do about it."""

from __future__ import annotations


class StanceError(Exception):
    """Base class for every error stance raises on purpose."""


class InvalidInputError(StanceError, ValueError):
    """The text or argument handed to the library cannot be processed.

    ``reason`` is a short machine-readable tag (``"empty"``, ``"no_content"``, ``"invalid_input"``) that batch
    runs write as the error record's ``type``.
    """

    def __init__(self, message: str, reason: str = "invalid_input") -> None:
        super().__init__(message)
        self.reason = reason


class ModelError(StanceError):
    """A model file or folder cannot be used."""


class CorruptModelError(ModelError):
    """The model files are truncated, tampered with, or hold something other than plain arrays and JSON."""


class IncompatibleModelError(ModelError):
    """The model was written in a format this version of stance cannot read."""


class TrainingDataError(StanceError, ValueError):
    """Labelled data cannot be used for training; the message names the file and line."""
