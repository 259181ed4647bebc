"""grassroots: evidence from Vietnamese local reports on grassroots democracy and mass mobilisation."""

__version__ = "0.1.0"
