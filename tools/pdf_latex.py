"""Sphinx extension for the PDF edition (``make pdf``): the LaTeX that Debian's TeX Live can typeset.

sphinx-jupyterbook-latex (Jupyter Book's LaTeX layer) gives the PDF its structure:
one part per caption of ``_toc.yml``, the preface as unnumbered front matter,
code cells and their outputs as separate blocks. It also switches the document
class to its ``jupyterBook.cls``, which loads ``bbm.sty`` (in Debian only in
``texlive-fonts-extra``, a 509 MB download) and tikz and pgfplots, which the
book does not use. This extension keeps the structure and returns to Sphinx's
own ``manual`` class, defining the two environments of ``jupyterBook.cls``
that the cell blocks need (code outputs indented under their input, as there).

The monospace font is DejaVu Sans Mono (Debian's ``fonts-dejavu-core``):
FreeMono, Sphinx's default under XeLaTeX, has no subscript letters (ₜ, ⱼ),
which the code cells print.

A reference to an exercise (``{ref}`ex-...```, as the instructors' page
lists them) points at the label ``DOCNAME:LABEL``, as Sphinx writes every
target; sphinx-exercise 1.2.1 labels an exercise only ``exercise:LABEL`` in
LaTeX, so such a reference printed "??". Exercises get the first label too,
carrying the exercise's number.

sphinx-jupyterbook-latex drops the title of the root page (the book's title
takes its place), so the preface would follow the contents with no heading: it
gets an unnumbered chapter heading with its own title, listed in the contents.

The index of the API appendix is sorted by makeindex (in TeX Live's binaries),
not xindy, Sphinx's default under XeLaTeX, which Debian ships apart (with a Lisp).
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.builders.latex.constants import XELATEX_DEFAULT_FONTPKG
from docutils import nodes
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import texescape
from sphinx_exercise import nodes as exercise_nodes

PREAMBLE = r"""
\usepackage[strict]{changepage}
\newenvironment{sphinxVerbatimInput}{}{}
\newenvironment{sphinxVerbatimOutput}{\begin{adjustwidth}{20pt}{}}{\end{adjustwidth}}
"""

# Sphinx's XeLaTeX fonts (FreeSerif, FreeSans), with another monospace font
FONTS = XELATEX_DEFAULT_FONTPKG[: XELATEX_DEFAULT_FONTPKG.index(r"\setmonofont")] + (
    "\\setmonofont{DejaVu Sans Mono}[Scale=MatchLowercase]\n"
)


def _manual_class(app: Sphinx, config: Config) -> None:
    config["latex_theme"] = "manual"
    config["latex_use_xindy"] = False
    elements = config["latex_elements"]
    elements["preamble"] = PREAMBLE + elements.get("preamble", "")
    elements["fontpkg"] = FONTS


def _labelled(visit):
    def visit_with_label(self, node) -> None:
        # \ref prints LaTeX's current label: make it the exercise's number, as its title shows it
        docname = self.builder.env.sphinx_exercise_registry[node["label"]]["docname"]
        numbers = self.builder.env.toc_fignumbers.get(docname, {}).get("exercise", {})
        number = numbers.get(node["ids"][0]) if node["ids"] else None
        if number:
            self.body.append(r"\expandafter\def\csname @currentlabel\endcsname{%s}" % ".".join(map(str, number)))
        self.body.append(self.hypertarget(node["label"]))
        visit(self, node)

    return visit_with_label


class RootTitle(SphinxPostTransform):
    """The root page's title as an unnumbered chapter, ahead of its text."""

    builders = ("latex",)
    default_priority = 710  # after sphinx-jupyterbook-latex's LatexRootDocPostTransforms (700)

    def run(self, **kwargs) -> None:
        # only the whole book assembled from the root page, not a page on its own
        if self.app.project.path2doc(self.document["source"]) != self.config.root_doc:
            return
        escaped = texescape.escape(self.env.titles[self.config.root_doc].astext())
        heading = rf"\chapter*{{{escaped}}}\addcontentsline{{toc}}{{chapter}}{{{escaped}}}\markboth{{{escaped}}}{{}}"
        self.document.insert(0, nodes.raw("", heading + "\n", format="latex"))


def setup(app: Sphinx) -> dict:
    app.add_post_transform(RootTitle)
    app.setup_extension("sphinx_exercise")
    for node, visit, depart in (
        (exercise_nodes.exercise_node, exercise_nodes.visit_exercise_node, exercise_nodes.depart_exercise_node),
        (exercise_nodes.exercise_enumerable_node, exercise_nodes.visit_exercise_enumerable_node,
         exercise_nodes.depart_exercise_enumerable_node),
    ):
        app.add_node(node, override=True, latex=(_labelled(visit), depart))
    # after sphinx-jupyterbook-latex's own config-inited handler (priority 500)
    app.connect("config-inited", _manual_class, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
