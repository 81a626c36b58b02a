r"""Interactive figures: live in a kernel, responsive without one.

One builder per interactive figure. In a kernel it returns the *live* widget:
sliders whose every move re-renders the figure. When the book is built
(``MATHCORE_STATIC=1``) it returns the *static twin*: every frame rendered
once, at build time, as a PNG inside an ``ipywidgets.HTML`` widget
(``<img alt="...">``, so each frame is described), the frames gathered in a
``Stack`` whose ``selected_index`` is linked in the browser to a
``SelectionSlider`` by ``jslink``. The page then needs no kernel: the
embedded widget state alone moves the figure. With two sliders the frames
form a grid: an outer ``Stack`` selected by the first slider, whose children
are inner ``Stack`` s each linked to the second.

The generic core is :func:`interactive_figure`; :func:`~mathcore.widgets.ch1_neurons.decision_boundary`
(Chapter 1) is built on it. The mechanism lives in ``_core``; each chapter's
builders live in ``chNN_<topic>.py`` and are re-exported here, so a chapter
calls ``widgets.<builder>(...)``.

References: ipywidgets documentation, "Widget Events" (``jslink``) and
"Embedding Jupyter Widgets in Other Contexts"; myst-nb, "Embedding outputs"
(widget state is saved when a notebook is executed).
"""

from ._core import *  # noqa: F403
from ._core import __all__ as _core_all
from .ch1_neurons import *  # noqa: F403
from .ch1_neurons import __all__ as _ch1_all
from .ch2_layers import *  # noqa: F403
from .ch2_layers import __all__ as _ch2_all
from .ch3_activations import *  # noqa: F403
from .ch3_activations import __all__ as _ch3_all
from .ch4_losses import *  # noqa: F403
from .ch4_losses import __all__ as _ch4_all
from .ch5_gradient_descent import *  # noqa: F403
from .ch5_gradient_descent import __all__ as _ch5_all
from .ch6_backprop import *  # noqa: F403
from .ch6_backprop import __all__ as _ch6_all
from .ch7_regularization import *  # noqa: F403
from .ch7_regularization import __all__ as _ch7_all
from .ch8_capstone import *  # noqa: F403
from .ch8_capstone import __all__ as _ch8_all

__all__ = [*_core_all, *_ch1_all, *_ch2_all, *_ch3_all, *_ch4_all, *_ch5_all, *_ch6_all, *_ch7_all, *_ch8_all]
