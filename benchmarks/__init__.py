"""Benchmarks of ``mathcore`` against PyTorch, scikit-learn and micrograd, and of the book itself.

Run ``python -m benchmarks`` (``--quick`` for a smoke run, ``--only SECTION``
for one section); see :mod:`benchmarks.__main__`. Each section is a module
with a ``run(config) -> dict`` function; :mod:`benchmarks.report` turns the
results into the tables printed on the terminal, ``benchmarks/results.md``
(included in the book's appendix and the README) and ``benchmarks/results.json``.

Nothing here is imported by ``mathcore`` or the book. PyTorch and micrograd are
benchmark dependencies only (``benchmarks/requirements.txt``): without them
their columns say "not installed" and everything else still runs.
"""

#: Sections in the order they run and are reported.
SECTIONS = ("step", "digits", "optimizers", "scalar", "sliders", "chapters", "build")
