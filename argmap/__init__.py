"""argmap: map the claims in an online discussion and which claims support or rebut which."""

from argmap.errors import ArgmapError

__version__ = "0.1.0"
__all__ = ["ArgmapError", "__version__"]
