"""The benchmarks (``python -m benchmarks``): a quick run end to end, and the helpers their numbers rest on.

The quick run pretends PyTorch and micrograd are missing, as they are in CI
(they are benchmark dependencies only), and checks that their columns say so
while every other section still runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the benchmarks package lives beside mathcore, not inside it

from benchmarks import SECTIONS, notebooks, report, scalar, step  # noqa: E402
from benchmarks._common import Config, compare, interleaved, optional  # noqa: E402
from mathcore import MLP, gradcheck  # noqa: E402


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--pretend-missing", "torch,micrograd", "--output", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    return proc, out


def test_quick_run_succeeds_and_writes_every_section(quick_run):
    proc, out = quick_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())
    assert set(results["sections"]) == set(SECTIONS) - {"build"}  # --quick leaves the build out
    md = (out / "results.md").read_text()
    for title in report.TITLES.values():
        assert f"### {title}" in md and f"## {title}" in proc.stdout
    # the mathcore step was timed and its gradients agreed with the hand-written step's
    rows = results["sections"]["step"]["rows"]
    assert {(r["dtype"], r["batch"]) for r in rows} == {(d, n) for d in step.DTYPES for n in (1, 32)}
    assert all(r["check_numpy"]["ok"] and r["mathcore"]["median_ms"] > 0 for r in rows)
    assert results["sections"]["digits"]["results"]["mathcore"]["accuracy"] > 0.5
    # the first chapter ran in a fresh kernel and its sliders were found and moved
    chapter = results["sections"]["chapters"]["rows"][0]
    assert chapter["notebook"] == notebooks.toc_notebooks()[0] and chapter["seconds"] > 0
    assert results["sections"]["sliders"]["rows"], "no live slider found in the first chapter"


def test_missing_packages_are_reported_not_fatal(quick_run):
    proc, out = quick_run
    results = json.loads((out / "results.json").read_text())
    assert results["sections"]["step"]["torch"] is None
    assert results["sections"]["scalar"]["micrograd"] is None
    md = (out / "results.md").read_text()
    step_md = md.split("### Training step")[1].split("###")[0]
    scalar_md = md.split("### The scalar engine")[1].split("###")[0]
    assert "not installed" in step_md and "PyTorch not installed" in step_md
    assert "| micrograd" in scalar_md and "not installed" in scalar_md


def test_unknown_section_is_refused():
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--only", "speed"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "unknown section(s) speed" in proc.stderr


# --- the helpers ------------------------------------------------------------------------------------


def test_compare_fails_on_a_perturbed_gradient():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(4, 3)), rng.normal(size=4)]
    assert compare(grads, [g.copy() for g in grads], rtol=1e-10, atol=1e-12).ok
    rounded = [g * (1 + 1e-14) for g in grads]  # rounding-level differences pass
    assert compare(rounded, grads, rtol=1e-10, atol=1e-12).ok
    wrong = [g.copy() for g in grads]
    wrong[0][2, 1] += 1e-6 * np.abs(wrong[0]).max()  # one entry off by a millionth of the scale
    result = compare(wrong, grads, rtol=1e-10, atol=1e-12)
    assert not result.ok and 5e-7 < result.max_error < 2e-6
    nan = [g.copy() for g in grads]
    nan[1][0] = np.nan
    assert not compare(nan, grads, rtol=1e-10, atol=1e-12).ok
    with pytest.raises(ValueError, match="shapes differ"):
        compare([grads[0].T], [grads[0]], rtol=1e-10, atol=1e-12)


def test_hand_written_step_is_mathcores_step():
    rng = np.random.default_rng(1)
    net = MLP(step.SIZES, activation="relu", output="softmax", seed=0)
    X = rng.normal(size=(5, 784))
    y = rng.integers(0, 10, size=5)
    cost, grads = net.loss_and_gradients(X, y, l2=step.L2)
    bare_cost, bare_grads, _ = step.bare_step(X, np.eye(10)[y], *net.params)
    assert abs(cost - bare_cost) < 1e-12
    assert compare(grads, bare_grads, *step.TOLERANCES["float64"]).ok


def test_torch_step_has_mathcores_gradients():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    for dtype in step.DTYPES:
        net = MLP(step.SIZES, activation="relu", output="softmax", seed=0, dtype=dtype)
        X = rng.normal(size=(7, 784)).astype(dtype)
        y = rng.integers(0, 10, size=7)
        _, grads = net.loss_and_gradients(X, y, l2=step.L2)
        _, torch_gradients = step._torch_step(torch, net.params, X, y, dtype)
        _, torch_grads = torch_gradients()
        assert compare(grads, torch_grads, *step.TOLERANCES[dtype]).ok, dtype


ADAPTIVE = [("RMSProp", {}), ("RMSProp", dict(decay=0.99, eps=1e-6)), ("Adam", {}),
            ("Adam", dict(beta1=0.5, beta2=0.9, eps=1e-4))]


@pytest.mark.parametrize("name, constants", ADAPTIVE, ids=[f"{n}-{k}" for k, (n, _) in enumerate(ADAPTIVE)])
def test_adaptive_optimizers_step_like_torchs(name, constants):
    torch = pytest.importorskip("torch")
    from mathcore import optim

    rng = np.random.default_rng(3)
    shapes = [(3, 4), (4,)]
    params = [rng.normal(size=s) for s in shapes]
    tensors = [torch.tensor(p.copy(), dtype=torch.float64, requires_grad=True) for p in params]
    ours, theirs = getattr(optim, name)(0.01, **constants), step.torch_optimizer(torch, name, tensors, 0.01, **constants)
    for _ in range(8):
        # gradients of mixed scales, some tiny: Adam and RMSProp divide by their size
        grads = [rng.normal(size=s) * 10.0 ** rng.integers(-4, 3, size=s) for s in shapes]
        ours.step(params, grads)
        for t, g in zip(tensors, grads):
            t.grad = torch.from_numpy(g.copy())
        theirs.step()
        # The same formula with its operations ordered differently (PyTorch folds the bias corrections
        # into the step size and the root): a few roundings of 1e-16 per step, nowhere near 1e-12.
        for p, t in zip(params, tensors):
            np.testing.assert_allclose(p, t.detach().numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["RMSProp", "Adam"])
def test_training_steps_agree_with_torch(name):
    torch = pytest.importorskip("torch")
    from mathcore import optim

    rng = np.random.default_rng(4)
    net = MLP(step.SIZES, activation="relu", output="softmax", seed=0)
    X, y = rng.normal(size=(16, 784)), rng.integers(0, 10, size=16)
    torch_step, torch_gradients = step._torch_step(torch, net.params, X, y, "float64")
    ours = getattr(optim, name)(1e-3)
    tensors = list(torch_step.model.parameters())  # W1, b1, W2, b2: mathcore's order
    theirs = step.torch_optimizer(torch, name, tensors, 1e-3)
    for _ in range(5):
        _, grads = net.loss_and_gradients(X, y, l2=step.L2)
        _, torch_grads = torch_gradients()  # also leaves them in each tensor's .grad
        assert compare(grads, torch_grads, *step.TOLERANCES["float64"]).ok  # the gradients, as above
        ours.step(net.params, grads)
        theirs.step()
        # Each update divides by the root of a running mean of squares, so a gradient entry's relative
        # difference (1e-10 at most, above) passes to its step; the parameters move by about 1e-3 per step.
        assert compare(net.params, [t.detach().numpy() for t in tensors], *step.TOLERANCES["float64"]).ok


def test_demo_gradients_match_central_differences():
    X, y = scalar.moons(12)
    params = scalar.initial_params()
    cost, grads = scalar.mathcore_loss_and_gradients(params, X, y)
    result = gradcheck.check_gradients(lambda: scalar.mathcore_loss_and_gradients(params, X, y)[0], params, grads)
    # central differences at h = 1e-5 agree to ~1e-8 away from the hinge's and ReLU's kinks,
    # which these seeded points do not straddle; a wrong gradient is off by >= 1e-2
    assert result.max_relative_error < 1e-6, result


def test_scalar_engines_agree_with_mathcore():
    micrograd = pytest.importorskip("micrograd.engine")
    X, y = scalar.moons(6)
    params = scalar.initial_params()
    cost, grads = scalar.mathcore_loss_and_gradients(params, X, y)
    m_cost, m_grads = scalar.ScalarTrainer(micrograd.Value, params, X, y, resets_grads=True).gradients()
    assert abs(m_cost - cost) < 1e-12 and compare(m_grads, grads, rtol=1e-10, atol=1e-12).ok


def test_interleaved_times_every_function_each_round_in_rotating_order():
    calls = []
    funcs = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    times = interleaved(funcs, rounds=3, warmup=0)
    assert calls == list("abc" "bca" "cab")
    assert all(t.shape == (3,) and (t >= 0).all() for t in times.values())


def test_optional_honours_pretended_missing_packages():
    assert optional("json", Config()) is json
    assert optional("json", Config(missing=frozenset({"json"}))) is None
    assert optional("no_such_package_xyz", Config()) is None


def test_update_readme_rewrites_only_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.README_START}\nold\n{report.README_END}\noutro\n")
    assert report.update_readme(readme, "machine\n\n### Sliders\n\nnew table\n")
    text = readme.read_text()
    assert text == f"intro\n{report.README_START}\nmachine\n\n#### Sliders\n\nnew table\n{report.README_END}\noutro\n"
    bare = tmp_path / "OTHER.md"
    bare.write_text("no markers\n")
    assert not report.update_readme(bare, "x") and bare.read_text() == "no markers\n"


def test_table_is_markdown_and_aligned():
    text = report.table(["a", "number"], [["x", "1.5"], ["longer", "10"]], "lr")
    lines = text.splitlines()
    assert lines[1] == "|--------|-------:|" and len({len(line) for line in lines}) == 1


def test_toc_notebooks_are_files_of_the_toc():
    names = notebooks.toc_notebooks()
    toc = (ROOT / "_toc.yml").read_text()
    assert names and all((ROOT / n).exists() and n[:-len(".ipynb")] in toc for n in names)


def test_readme_and_appendix_show_the_results():
    readme = (ROOT / "README.md").read_text()
    assert report.README_START in readme and report.README_END in readme
    assert "python -m benchmarks" in readme
    appendix = (ROOT / "book" / "appendix_benchmarks.md").read_text()
    assert "(appendix-benchmarks)=" in appendix and "```{include} ../benchmarks/results.md" in appendix
    assert (ROOT / "benchmarks" / "results.md").exists()


def test_committed_tables_are_rendered_from_the_committed_results():
    """results.md and the README show what results.json holds, in the current table layout.

    After a change to report.py: `python -m benchmarks --render --update-readme`.
    """
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    md = report.markdown(results)
    assert (ROOT / "benchmarks" / "results.md").read_text() == md
    readme = (ROOT / "README.md").read_text()
    assert md.replace("\n### ", "\n#### ") in readme


def test_tables_fit_the_book_column():
    """No table wider than six columns: wider ones scroll sideways on the page and hide their last columns."""
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    for line in report.markdown(results).splitlines():
        if line.startswith("|"):
            assert line.count("|") - 1 <= 6, line
