"""stance: genre and actor stance for news text."""
__version__ = "0.1.0"
