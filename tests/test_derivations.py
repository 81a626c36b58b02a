"""The registry of the book's equations: every entry verifies, and verification can fail."""

from __future__ import annotations

import re

import numpy as np
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
        if d.status.startswith("the same numbers"):  # a matrix of numbers: one comparison
            assert d.status == f"the same numbers as the code, `{d.code_name}`"
            return
        assert d.status == (f"checked against the code, `{d.code_name}`, at {derivations.N_POINTS + len(d.points)} "
                            "points (a definition: there is nothing to prove, but the code must compute what it says)")
    else:
        # an identity checked at several sizes (ch4's _Sized) says so after the count of one size's points
        assert re.fullmatch(r"(proved symbolically by SymPy and checked|checked numerically) at \d+ points"
                            r"( for each of \d+ sizes \(.+\))?", d.status), d.status
    n = int(re.search(r" at (\d+) points", d.status).group(1))
    assert n == derivations.N_POINTS + len(d.points)


DEFINITIONS = [d.label for d in derivations.definitions()]


@pytest.mark.parametrize("label", DEFINITIONS)
def test_definition_is_checked_against_mathcore_code(label):
    d = DERIVATIONS[label]
    assert d.code_name.startswith("mathcore."), d.code_name


@pytest.mark.parametrize("label", DEFINITIONS)
def test_definition_catches_code_that_computes_something_else(label):
    """The check can fail: code off by a factor, or by an added constant, is caught at the first point."""
    d = DERIVATIONS[label]
    for wrong in (lambda v: 1.5 * v, lambda v: v + 0.25):
        copy = Definition(d.label, d.chapter, d.title, d.lhs, d.rhs, definitions=d.definitions, domain=d.domain,
                          points=d.points, sizes=d.sizes, arguments=d.arguments, code_name=d.code_name,
                          code=lambda _code=d.code, _wrong=wrong, **kw: _wrong(np.asarray(_code(**kw))))
        with pytest.raises(AssertionError, match=re.escape(f"{label}: {d.code_name} gives")):
            copy.verify()
        assert copy.status == "not verified yet"


def test_definition_refuses_an_unnamed_lambda_and_a_proof():
    y = sp.Symbol("y")
    with pytest.raises(ValueError, match="give code_name"):
        Definition("test.d", 1, "t", y, x, code=lambda x: x)
    with pytest.raises(ValueError, match="nothing to prove|prove and wrap do not apply"):
        Definition("test.d", 1, "t", y, x, code=derivations.get, prove=True)
    with pytest.raises(ValueError, match="code must be mathcore's"):
        Definition("test.d", 1, "t", y, x, code=abs)
    with pytest.raises(ValueError, match="sizes"):
        Definition("test.d", 1, "t", y, x, code=derivations.get, sizes={y: 10**6})
    with pytest.raises(TypeError, match="code must be the function"):
        Definition("test.d", 1, "t", y, x, code=None)


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
    assert by_chapter(99) == [] and by_chapter("Z") == []
    chapters = {d.chapter for d in DERIVATIONS.values()}
    assert sum(len(by_chapter(c)) for c in chapters) == len(DERIVATIONS)


def test_get_unknown_lists_known_labels():
    with pytest.raises(ValueError, match="unknown derivation label 'nope'") as info:
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
    assert len(CHAIN_LABELS) >= 25
    for label in ("activation.sigmoid.derivative", "loss.softmax_cross_entropy.gradient", "loss.mse.mean-gradient",
                  "backprop.bp1", "backprop.bp2", "backprop.bp4.output", "backprop.bp4.batch",
                  "gd.quadratic-update", "gd.momentum-characteristic", "gd.stability-threshold",
                  "regularization.weight-decay", "regularization.dropout-mean",
                  "regularization.ridge-normal-equations", "regularization.l2-map",
                  "init.he-variance", "init.glorot-variance", "init.forward-variance", "init.backward-variance",
                  "init.relu-second-moment", "init.glorot-compromise", "gd.ema-unrolled", "gd.adam-bias-m",
                  "gd.adam-bias-v"):
        assert label in CHAIN_LABELS
    for label in ("gd.rmsprop", "gd.adam"):  # the update rules, checked against optim's code
        assert label in DERIVATIONS


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


# --- what the new chains claim beyond their equalities ------------------------------------------

def test_stability_threshold_sign_is_the_condition_on_the_factor():
    """The chain ends at eta lambda^2 (eta - 2/lambda) e_t^2; its sign must decide |1 - eta lambda| < 1.

    Checked as booleans at seeded points and on the boundary eta = 2/lambda, where the step neither shrinks
    nor grows the error (and a strict inequality written as <= would show).
    """
    d = DERIVATIONS["gd.stability-threshold"]
    eta, lam, e = (next(s for s in d.rhs.free_symbols if s.name == n) for n in (r"\eta", r"\lambda", "e_t"))
    last = sp.lambdify((eta, lam, e), d.rhs)
    rng = np.random.default_rng(0)
    points = [(float(rng.uniform(0.0, 3.0)), float(rng.uniform(0.1, 10.0))) for _ in range(500)]
    points += [(2.0 / l, l) for l in (0.5, 1.0, 4.0)]  # on the threshold: exactly representable
    for h, l in points:
        shrinks = last(h, l, 1.0) < 0
        assert shrinks == (abs(1 - h * l) < 1) == (0 < h < 2 / l), (h, l)


def test_initialisers_draw_the_variances_the_chains_derive():
    """MLP's weights against the init chains: Glorot's variance as the chain states it, and He's conclusion.

    Sizes as in tests/test_network.py: 120 000 weights give the sample variance a relative standard error of
    sqrt(2/N) = 0.4%, so 3% is more than 7 standard errors. For He the claim itself is tested: ReLU inputs of
    a N(0, s^2) through the drawn layer give Var(z) = s^2; 2000 inputs times 300 units, with the spread of the
    units' means (the ReLU's mean is not 0) adding about 1%, so 5%.
    """
    from mathcore import MLP
    n_in, n_h, n_out = 400, 300, 200
    glorot = DERIVATIONS["init.glorot-variance"]
    fans = {s.name: s for s in glorot.steps[3].expr.free_symbols}
    variance = float(glorot.steps[3].expr.subs({fans[r"n_{\mathrm{in}}"]: n_in, fans[r"n_{\mathrm{out}}"]: n_h}))
    W = MLP([n_in, n_h, n_out], activation="tanh", seed=1).weights[0]  # (300, 400), Glorot uniform
    np.testing.assert_allclose(W.var(), variance, rtol=0.03)
    r = np.sqrt(3 * variance)  # the chain's r^2/3 = variance
    assert np.abs(W).max() <= r and np.abs(W).max() > 0.99 * r

    he = DERIVATIONS["init.he-variance"]
    s_sym, = he.rhs.free_symbols  # the chain ends at s^2
    W = MLP([n_in, n_h, n_out], activation="relu", seed=1).weights[0]  # (300, 400), He normal
    s = 1.5
    u = np.random.default_rng(2).normal(0.0, s, size=(2000, n_in))  # (2000, 400)
    z = np.maximum(u, 0.0) @ W.T  # (2000, 300)
    np.testing.assert_allclose(z.var(), float(he.rhs.subs(s_sym, s)), rtol=0.05)


# --- a malformed entry is refused where it is written, naming the field ----------------------------

_a = sp.Symbol("a")


@pytest.mark.parametrize("field, bad, exc", [
    ("label", None, TypeError), ("chapter", 0, ValueError), ("chapter", "2", ValueError),
    ("chapter", 1.0, TypeError), ("chapter", True, TypeError), ("chapter", 10**400, ValueError),
    ("title", None, TypeError), ("title", " ", ValueError), ("lhs", True, TypeError), ("rhs", float("nan"), TypeError),
    ("definitions", "a", TypeError), ("definitions", {_a: "x"}, TypeError), ("domain", None, TypeError),
    ("domain", {_a: (1.0, float("inf"))}, ValueError), ("domain", {_a: (2.0, 1.0)}, ValueError),
    ("points", "x", TypeError), ("points", [{_a: float("nan")}], ValueError), ("assumptions", 1, TypeError),
    ("prove", "no", TypeError),
])
def test_a_malformed_derivation_is_refused_naming_the_field(field, bad, exc):
    fields = dict(label="t.bad", chapter=1, title="t", lhs=_a, rhs=_a)
    with pytest.raises(exc, match=rf"\b{field}\b"):
        Derivation(**{**fields, field: bad})


@pytest.mark.parametrize("steps", [None, "ab", [_a, _a], [Step(_a), (1.5, "why")]])
def test_a_chain_refuses_malformed_steps(steps):
    with pytest.raises(TypeError, match="steps"):
        Chain("t.bad", 1, "t", steps)


@pytest.mark.parametrize("call, exc, name", [
    (lambda: by_chapter(0), ValueError, "chapter"), (lambda: by_chapter(None), TypeError, "chapter"),
    (lambda: derivations.get(None), TypeError, "label"), (lambda: register("d"), TypeError, "d"),
    (lambda: derivations.ones(0), ValueError, "n"), (lambda: derivations.ones(2.0), TypeError, "n"),
    (lambda: derivations.unevaluated_sum(_a, float("nan")), ValueError, "terms"),
    (lambda: derivations.unevaluated_sum(_a, True), TypeError, "terms"),
])
def test_registry_helpers_refuse_bad_arguments_by_name(call, exc, name):
    with pytest.raises(exc, match=rf"\b{name}\b"):
        call()
