"""The document-channel tests use the room and fixtures of tests/conftest.py."""

from tests.conftest import DocRoom, make_doc_room

__all__ = ["DocRoom", "make_doc_room"]
