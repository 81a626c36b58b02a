"""The registry of the book's equations: every entry verifies, and verification can fail."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from mathcore import derivations
from mathcore.activations import ACTIVATIONS
from mathcore.derivations import (DERIVATIONS, SIGMA_DEF, Chain, Definition, Derivation, MatrixDerivation, Step,
                                  by_chapter, chains, register, sigma)
from mathcore.losses import LOSSES
from mathcore.regularization import PENALTIES

LABELS = list(DERIVATIONS)
MATRIX_LABELS = [k for k, d in DERIVATIONS.items() if isinstance(d, MatrixDerivation)]
CHAIN_LABELS = [d.label for d in chains()]
#: (label, step) for every link of every chain: where a planted mistake must be caught
CHAIN_STEPS = [(d.label, k) for d in chains() for k in range(1, len(d.steps))]
APPENDICES = {"A"}
x = sp.Symbol("x", real=True)


@pytest.mark.parametrize("label", LABELS)
def test_entry_verifies(label):
    d = DERIVATIONS[label]
    assert d.verify() is True
    if isinstance(d, Chain):
        n_steps = len(d.steps) - 1
        assert re.fullmatch(rf"(proved symbolically by SymPy step by step, all {n_steps} steps, and checked at \d+ "
                            rf"points|checked numerically step by step, all {n_steps} steps, at \d+ points|checked "
                            rf"step by step, all {n_steps} steps, at \d+ points; \d+ of them also proved "
                            r"symbolically by SymPy)", d.status), d.status
    elif isinstance(d, Definition):
        # a definition is checked against the function that computes it, named in the status
        assert re.fullmatch(rf"checked against the code, `{re.escape(d.code_name)}`, at \d+ points \(a definition: "
                            r"there is nothing to prove, but the code must compute what it says\)", d.status), d.status
    else:
        assert re.fullmatch(r"(proved symbolically by SymPy and checked|checked numerically) at \d+ points",
                            d.status)
    n = int(re.search(r" at (\d+) points", d.status).group(1))
    assert n == derivations.N_POINTS + len(d.points)


@pytest.mark.parametrize("label", LABELS)
def test_entry_metadata(label):
    d = DERIVATIONS[label]
    assert d.label == label
    # a chapter number, or an appendix letter
    assert (isinstance(d.chapter, int) and not isinstance(d.chapter, bool) and d.chapter >= 1) \
        or d.chapter in APPENDICES
    assert d.title.strip() and d.latex.strip()
    assert " = " in d.latex or "&= " in d.latex  # one line, or broken over two (wrap)
    assert derivations.get(label) is d


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_has_its_derivative(name):
    d = DERIVATIONS[f"activation.{name}.derivative"]
    # the kink, where there is one, is among the checked points
    assert {float(p[x]) for p in d.points} == set(ACTIVATIONS[name].kink_points)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_has_its_gradient(name):
    assert f"loss.{name}.gradient" in DERIVATIONS


@pytest.mark.parametrize("name", sorted(PENALTIES))
def test_every_penalty_has_its_gradient(name):
    assert f"regularization.{name}.gradient" in DERIVATIONS


def test_wrong_identity_fails_naming_the_point():
    wrong = Derivation("test.wrong-sigmoid-derivative", 3, "A wrong derivative: d/dx sigma = sigma^2",
                       sp.Derivative(sigma(x), x), sigma(x) ** 2, definitions={sigma: SIGMA_DEF})
    with pytest.raises(AssertionError, match=r"test\.wrong-sigmoid-derivative: the sides differ at x = -?\d"):
        wrong.verify()
    assert wrong.status == "not verified yet"
    assert wrong.label not in DERIVATIONS  # never registered


def test_wrong_kink_convention_caught_only_at_the_kink():
    # relu'(0) = 1 instead of the registered convention 0: equal everywhere but at 0.
    relu = sp.Function("relu")
    kw = dict(definitions={relu: sp.Lambda(x, ACTIVATIONS["relu"].symbolic(x))})
    lhs, rhs = sp.Derivative(relu(x), x), sp.Piecewise((0, x < 0), (1, True))
    assert Derivation("test.relu-no-kink", 3, "t", lhs, rhs, **kw).verify()  # random points miss x = 0
    with pytest.raises(AssertionError, match=r"test\.relu-at-kink: the sides differ at x = 0"):
        Derivation("test.relu-at-kink", 3, "t", lhs, rhs, points=[{x: 0}], **kw).verify()


def test_wrong_matrix_identity_fails():
    a = sp.Symbol("a", real=True)
    d = Derivation("test.matrix", 2, "t", sp.Matrix([a, a**2]), sp.Matrix([a, a**3]))
    with pytest.raises(AssertionError, match=r"test\.matrix: the sides differ at a = "):
        d.verify()
    d = Derivation("test.matrix-shape", 2, "t", sp.Matrix([a, a]), sp.Matrix([[a, a]]))
    with pytest.raises(AssertionError, match="sides have shapes"):
        d.verify()


def test_duplicate_register_rejected_and_registry_unchanged():
    label = LABELS[0]
    original = DERIVATIONS[label]
    before = list(DERIVATIONS)
    with pytest.raises(ValueError, match=f"derivation label '{re.escape(label)}' is already registered"):
        register(Derivation(label, 1, "a duplicate", sp.Integer(1), sp.Integer(1)))
    assert DERIVATIONS[label] is original and list(DERIVATIONS) == before


def test_show_renders_latex_and_status():
    d = DERIVATIONS["activation.sigmoid.derivative"]
    shown = d.show()
    md = shown._repr_markdown_()
    assert f"$$\n{d.latex}\n$$" in md
    assert "Verified" in md and d.status in md and d.label in md
    assert "✓" in md
    assert shown._repr_latex_() == f"$${d.latex}$$"


def test_unverified_display_is_marked():
    d = Derivation("test.unverified", 1, "t", sp.Integer(2), sp.Integer(2))
    assert "?" in d._repr_markdown_() and "not verified yet" in d._repr_markdown_()


def test_by_chapter():
    ch1 = by_chapter(1)
    assert ch1 and all(d.chapter == 1 for d in ch1)
    assert [d.label for d in ch1] == [k for k, d in DERIVATIONS.items() if d.chapter == 1]  # registration order
    assert by_chapter(999) == []
    chapters = {d.chapter for d in DERIVATIONS.values()}
    assert sum(len(by_chapter(c)) for c in chapters) == len(DERIVATIONS)


def test_get_unknown_lists_known_labels():
    with pytest.raises(ValueError, match="unknown derivation 'nope'") as info:
        derivations.get("nope")
    assert all(label in str(info.value) for label in LABELS)


# --- matrix calculus (Appendix A) -------------------------------------------------------------

def test_matrix_appendix_is_populated():
    assert len(MATRIX_LABELS) >= 10 and all(DERIVATIONS[k].chapter == "A" for k in MATRIX_LABELS)


@pytest.mark.parametrize("label", MATRIX_LABELS)
def test_matrix_identity_agrees_with_finite_differences(label):
    # Each function is a polynomial of degree <= 2 in the variable, so central differences are
    # exact up to rounding, about eps * |f| / h ~ 1e-11 with h = 1e-5; 1e-8 leaves room.
    for seed in range(3):
        assert DERIVATIONS[label].finite_difference_error(seed=seed) < 1e-8


_xm, _Am = sp.MatrixSymbol("x", 3, 1), sp.MatrixSymbol("A", 3, 3)
_Wm, _um = sp.MatrixSymbol("W", 2, 3), sp.MatrixSymbol("u", 2, 1)


@pytest.mark.parametrize("wrong_rhs", [2 * _Am * _xm, 2 * _Am.T * _xm, _Am * _xm], ids=["2Ax", "2ATx", "Ax"])
def test_matrix_check_catches_a_wrong_quadratic_form_gradient(wrong_rhs):
    # 2 A x is right only for symmetric A: the check must use a general A
    d = MatrixDerivation("wrong.quadratic", "A", "wrong", sp.Derivative(_xm.T * _Am * _xm, _xm), wrong_rhs)
    with pytest.raises(AssertionError, match="differ"):
        d.verify()
    assert d.finite_difference_error() > 0.1


def test_matrix_check_catches_a_transposed_gradient():
    d = MatrixDerivation("wrong.bilinear", "A", "wrong", sp.Derivative(_um.T * _Wm * _xm, _Wm), _xm * _um.T)
    with pytest.raises(AssertionError, match="shapes"):
        d.verify()


def test_matrix_derivation_rejects_what_it_cannot_check():
    second = MatrixDerivation("wrong.order", "A", "t", sp.Derivative(_xm.T * _xm, _xm, 2), 2 * _xm)
    with pytest.raises(ValueError, match="first derivatives"):
        second.verify()
    not_derivative = MatrixDerivation("wrong.lhs", "A", "t", _xm.T * _xm, _xm.T * _xm)
    with pytest.raises(ValueError, match="not a derivative"):
        not_derivative.finite_difference_error()


def _one_line(latex: str) -> str:
    """A wrapped equation's LaTeX with the line-break markup taken out, spaces ignored."""
    for markup in (r"\begin{aligned}", r"\end{aligned}", r"\\", r"\quad", "{}", "&"):
        latex = latex.replace(markup, "")
    return re.sub(r"\s+", "", latex)


@pytest.mark.parametrize("label", [k for k, d in DERIVATIONS.items() if d.wrap is not None])
def test_wrapped_entry_typesets_the_same_equation(label):
    """Breaking a long equation over two lines changes where it breaks, nothing else."""
    d = DERIVATIONS[label]
    one_line = Derivation(d.label, d.chapter, d.title, d.lhs, d.rhs).latex
    assert d.latex.startswith(r"\begin{aligned}") and d.latex.count(r"\\") == 1
    assert _one_line(d.latex) == _one_line(one_line)


def test_wrap_splits_the_sum_where_asked_and_rejects_what_it_cannot_split():
    a, b, c = sp.symbols("a b c")
    rhs = sp.Add(a, -b, c, evaluate=False)
    assert Derivation("t.w1", 1, "t", sp.Symbol("L"), rhs, wrap=1).latex == \
        r"\begin{aligned} L &= a \\ &\quad {}- b + c \end{aligned}"
    assert Derivation("t.w2", 1, "t", sp.Symbol("L"), rhs, wrap=2).latex == \
        r"\begin{aligned} L &= a - b \\ &\quad {}+ c \end{aligned}"
    assert Derivation("t.w0", 1, "t", sp.Symbol("L"), rhs, wrap=0).latex == \
        r"\begin{aligned} & L \\ &= a - b + c \end{aligned}"
    for bad in (3, -1, 1.5, True):
        with pytest.raises(ValueError, match="wrap"):
            Derivation("t.bad", 1, "t", sp.Symbol("L"), rhs, wrap=bad)
    with pytest.raises(ValueError, match="sum"):
        Derivation("t.prod", 1, "t", sp.Symbol("L"), a * b, wrap=1)


# --- derivations as chains of checked steps ------------------------------------------------------

def test_the_central_derivations_are_chains():
    assert len(CHAIN_LABELS) >= 12
    for label in ("activation.sigmoid.derivative", "loss.softmax_cross_entropy.gradient", "loss.mse.mean-gradient",
                  "backprop.bp1", "backprop.bp2", "backprop.bp4.output", "backprop.bp4.batch",
                  "gd.quadratic-update", "gd.momentum-characteristic", "regularization.weight-decay",
                  "regularization.dropout-mean"):
        assert label in CHAIN_LABELS


@pytest.mark.parametrize("label", CHAIN_LABELS)
def test_a_chain_is_typeset_one_step_a_line_with_its_reason(label):
    d = DERIVATIONS[label]
    assert d.lhs is d.steps[0].expr and d.rhs is d.steps[-1].expr
    assert d.latex.startswith(r"\begin{aligned}") and d.latex.count("&= ") == len(d.steps) - 1
    markdown = d._repr_markdown_()
    for k, step in enumerate(d.steps[1:], start=1):
        assert rf"\qquad \text{{({k})}}" in d.latex  # the line's number; its rule is listed under the display
        assert f"\n{k}. " in markdown and step.reason.replace("*", r"\*") in markdown
    assert [link.title for link in d.links()] == [s.reason for s in d.steps[1:]]


def _planted(expr, k: int):
    """A wrong version of a step: a transposed matrix, a dropped factor 2 or a flipped sign."""
    if isinstance(expr, sp.MatrixBase) and expr.shape[0] == expr.shape[1] and expr.T != expr:
        return expr.T, "a transpose"
    return (sp.Mul(2, expr, evaluate=False), "a factor 2") if k % 2 else (-expr, "a sign")


@pytest.mark.parametrize("label, k", CHAIN_STEPS, ids=[f"{label}-step{k}" for label, k in CHAIN_STEPS])
def test_a_planted_mistake_is_named_by_its_step(label, k):
    d = DERIVATIONS[label]
    wrong, kind = _planted(d.steps[k].expr, k)
    steps = [*d.steps[:k], Step(wrong, d.steps[k].reason), *d.steps[k + 1:]]
    copy = Chain(f"{label}.planted", d.chapter, d.title, steps, definitions=d.definitions, domain=d.domain,
                 points=d.points, prove=False)
    with pytest.raises(AssertionError, match=rf"step {k} \(.*\) does not follow from step {k - 1}: the sides "
                                              r"differ at "):
        copy.verify()
    assert copy.status == "not verified yet", kind


def test_a_chain_refuses_steps_without_reasons_or_with_latex():
    a, b = sp.Symbol("a"), sp.Symbol("b")
    with pytest.raises(ValueError, match="at least two steps"):
        Chain("t.one", 1, "t", [Step(a)])
    with pytest.raises(ValueError, match="step 1 needs a reason"):
        Chain("t.none", 1, "t", [Step(a), Step(a)])
    with pytest.raises(ValueError, match="first step is where the chain starts"):
        Chain("t.first", 1, "t", [Step(a, "why"), Step(a, "same")])
    with pytest.raises(ValueError, match="plain text, not LaTeX"):
        Chain("t.tex", 1, "t", [Step(a + b), Step(b + a, r"$a + b$ commutes")])
    with pytest.raises(ValueError, match="wrap does not apply"):
        Chain("t.wrap", 1, "t", [Step(a + b), Step(b + a, "commute")], wrap=0)


def test_a_chain_status_says_how_each_step_was_checked():
    a = sp.Symbol("a", real=True)
    proved = Chain("t.p", 1, "t", [Step(2 * a), Step(a + a, "split")])
    assert proved.verify() and proved.status == "proved symbolically by SymPy step by step, all 1 steps, and " \
        f"checked at {derivations.N_POINTS} points"
    numeric = Chain("t.n", 1, "t", [Step(2 * a), Step(a + a, "split"), Step(a * 2, "again")], prove=False)
    assert numeric.verify() and numeric.status == f"checked numerically step by step, all 2 steps, at " \
        f"{derivations.N_POINTS} points"


@pytest.mark.parametrize("seed, exc", [(-1, ValueError), (1.5, TypeError), (None, TypeError), (True, TypeError)])
def test_finite_difference_error_validates_seed(seed, exc):
    # -1 and 1.5 used to reach NumPy's own error; None gave a different point on every call
    with pytest.raises(exc, match="seed"):
        DERIVATIONS["matrix.linear"].finite_difference_error(seed=seed)
