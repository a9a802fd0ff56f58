"""The Vĩnh Phúc demo data set: a deterministic generator (`demo.generator.generate`) and an HTTP loader
(`demo.loader.load`); `python -m demo` loads it into the running stack and prints the headline figures."""

from .dataset import DataSet
from .generator import generate

__all__ = ["DataSet", "generate"]
