"""xinfang: letters-and-visits (信访) case management."""

__version__ = "0.1.0"
