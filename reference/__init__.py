"""Trusted NumPy reference implementations of the E資格 syllabus, with DLFS-style signatures."""
