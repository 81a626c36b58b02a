"""mathcore: the verified NumPy and SymPy mathematics behind the book.

One module per concept, named like its chapter: :mod:`~mathcore.neuron`,
:mod:`~mathcore.layers`, :mod:`~mathcore.network`, :mod:`~mathcore.activations`,
:mod:`~mathcore.losses`, :mod:`~mathcore.optim`, :mod:`~mathcore.regularization`,
with :mod:`~mathcore.gradcheck` and :mod:`~mathcore.autodiff` (Chapter 6's
checks and scalar reverse-mode engine), :mod:`~mathcore.metrics`,
:mod:`~mathcore.derivations` (the book's equations as SymPy objects),
:mod:`~mathcore.runtime` (what the kernel can do: the browser's cannot time or start processes),
:mod:`~mathcore.widgets`, :mod:`~mathcore.plotting` and :mod:`~mathcore.data`.
"""

from . import (activations, autodiff, derivations, gradcheck, layers, losses, metrics, neuron, optim, regularization,
               runtime)
from .network import MLP

__all__ = ["MLP", "activations", "autodiff", "derivations", "gradcheck", "layers", "losses", "metrics", "neuron", "optim",
           "regularization", "runtime"]
__version__ = "0.1.0"
