"""Models shipped with stance. Installed as the ``stance.models`` package so the default is found after ``pip install``."""
