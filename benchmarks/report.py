"""Tables from the results: the terminal, ``results.md`` (the book's appendix and the README) and the README."""

from __future__ import annotations

import re
from pathlib import Path

from . import notebooks, step

NOT_INSTALLED = "not installed"
README_START = "<!-- benchmarks:start -->"
README_END = "<!-- benchmarks:end -->"


def table(headers: list[str], rows: list[list[str]], align: str = "") -> str:
    """A Markdown table, padded so that it also reads as plain text. ``align``: one of 'lr' per column."""
    align = align or "l" + "r" * (len(headers) - 1)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) if a == "l" else c.rjust(w)
                                 for c, w, a in zip(cells, widths, align)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if a == "r" else ("-" * (w + 2))
                          for w, a in zip(widths, align)) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _ms(x: float) -> str:
    return f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 10 else f"{x:.1f}"


def _chapter(notebook: str, name: bool = True) -> str:
    """"book/05_gradient_descent.ipynb" -> "5 gradient descent" (or "5"): narrower than the file name."""
    number, _, title = Path(notebook).stem.partition("_")
    if not number.isdigit():
        return Path(notebook).stem
    return f"{int(number)} {title.replace('_', ' ')}" if name else str(int(number))


def _mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✓" if ok else " ✗")


# --- sections ----------------------------------------------------------------------------------


def step_table(r: dict) -> str:
    """Two tables of six columns, times then ratios: one of ten is wider than the book's text column."""
    torch = r.get("torch")
    times, ratios = [], []
    for row in r["rows"]:
        dtype, n = row["dtype"], row["batch"]
        target_t = step.TARGET_TORCH.get(n) if dtype == "float64" else None
        target_f = step.TARGET_FLOOR.get(n) if dtype == "float64" else None
        ratio_f = f"{row['ratio_floor']:.2f}" + (_mark(row["ratio_floor"] <= target_f) if target_f else "")
        if torch:
            ratio_t = f"{row['ratio_torch']:.2f}" + (_mark(row["ratio_torch"] <= target_t) if target_t else "")
            check = row["check_torch"]
            grads = f"{check['max_error']:.0e}" + _mark(check["ok"])
            torch_cells = [_ms(row["torch"]["median_ms"]), ratio_t, f"{row['numpy_ratio_torch']:.2f}", grads]
        else:
            torch_cells = [NOT_INSTALLED, "", "", ""]
        times.append([dtype, str(n), _ms(row["mathcore"]["median_ms"]), torch_cells[0],
                      _ms(row["numpy"]["median_ms"]), _ms(row["floor"]["median_ms"])])
        ratios.append([dtype, str(n), torch_cells[1], torch_cells[2], ratio_f, torch_cells[3]])
    time_table = table(["precision", "batch", "mathcore", "PyTorch", "NumPy by hand", "products alone"], times)
    ratio_table = table(["precision", "batch", "mathcore / PyTorch", "NumPy / PyTorch", "mathcore / products",
                         "gradients vs PyTorch"], ratios)
    note_times = (f"Median time of one step in ms, from interleaved repeats (a round runs every column back to "
                  f"back); PyTorch {torch or NOT_INSTALLED}" + (f" ({r['torch_threads']} thread(s))" if torch else "")
                  + ".")
    note_ratios = ("Each ratio is the median of the ratios measured round by round. Targets (float64): "
                   "mathcore / PyTorch <= 0.8 at batch 32 and 256, mathcore / products <= 1.3 at batch 256. "
                   "Gradients: largest difference from PyTorch's, relative to each array's largest entry, on "
                   "the same weights and batch.")
    return f"{time_table}\n\n{note_times}\n\n{ratio_table}\n\n{note_ratios}"


def digits_table(r: dict) -> str:
    s = r["setup"]
    headers = ["library", "test accuracy", "training time (s)"]
    names = {"mathcore": "mathcore (float64)", "mathcore_float32": "mathcore (float32)",
             "sklearn": f"scikit-learn MLPClassifier {r.get('sklearn_version') or ''}".strip()}
    rows = []
    for key, label in names.items():
        res = r["results"].get(key)
        if res is None:
            rows.append([label, NOT_INSTALLED, ""])
        else:
            rows.append([label, f"{100 * res['accuracy']:.1f}%", f"{res['median_s']:.2f}"])
    note = (f"{r['n_train']} training and {r['n_test']} test images; one hidden layer of {s['hidden']} ReLU units, "
            f"SGD with momentum {s['momentum']} (not Nesterov's), learning rate {s['lr']}, batch {s['batch_size']}, "
            f"alpha {s['alpha']:g} (the book's l2 = {s['alpha'] / s['batch_size']:g}), {s['epochs']} epochs; "
            "median wall time of the fits.")
    return table(headers, rows, "lrr") + "\n\n" + note


def optimizers_table(r: dict) -> str:
    headers = ["optimiser", "validation over the rates", "rate chosen", "test accuracy, median",
               "range over seeds", "training time (s)"]
    rows = []
    for name in sorted(r["results"], key=["SGD", "Momentum", "RMSProp", "Adam"].index):
        res = r["results"][name]
        acc, val = res["test_accuracy"], res["validation"]
        rows.append([f"{name} ({min(map(float, val)):g} to {max(map(float, val)):g})",
                     f"{100 * min(val.values()):.1f}–{100 * max(val.values()):.1f}%", f"{res['lr']:g}",
                     f"{100 * res['median_accuracy']:.1f}%", f"{100 * min(acc):.1f}–{100 * max(acc):.1f}%",
                     f"{res['median_s']:.2f}"])
    note = (f"The capstone's network and task ({r['n_train']} training and {r['n_test']} test images, one hidden "
            f"layer of {r['hidden']} ReLU units, batch {r['batch_size']}, l2 = {r['l2']:g}, {r['epochs']} epochs). "
            f"Each optimiser's learning rate is the best of {len(next(iter(r['results'].values()))['validation'])} "
            "by validation accuracy (a stratified quarter of the "
            f"training images; ties go to the smaller rate); then {len(r['seeds'])} seeds of initialisation and "
            "shuffling on the whole training part. Momentum β = 0.9, RMSProp ρ = 0.9, Adam β₁ = 0.9, β₂ = 0.999, "
            "ε = 1e-8. The rates tried follow each optimiser's name; validation accuracy: the worst and the best "
            "of them (how much the choice matters); median wall time of a fit.")
    return table(headers, rows, "lrrrrr") + "\n\n" + note


def scalar_table(r: dict) -> str:
    headers = ["engine", "time per step (ms)", "× mathcore", f"cost after {r['steps']} steps", "gradients vs mathcore"]
    labels = {"mathcore": "mathcore (arrays)", "micrograd": "micrograd",
              "mathcore.autodiff": "mathcore.autodiff (scalars)"}
    rows = []
    for key, label in labels.items():
        res = r["results"].get(key)
        if res is None:
            if key == "micrograd":
                rows.append([label, NOT_INSTALLED, "", "", ""])
            continue
        check = r["checks"].get(key)
        grads = "reference" if key == "mathcore" else f"{check['max_error']:.0e}" + _mark(check["ok"])
        rows.append([label, _ms(res["median_ms"]), f"{res['times_mathcore']:.0f}", f"{res['final_cost']:.6f}", grads])
    note = (f"micrograd's two-moons demonstration ({r['n_samples']} points, MLP(2, [16, 16, 1]), hinge loss + "
            f"1e-4 Σp², full batch), its first {r['steps']} steps from the same weights; median time per step.")
    return table(headers, rows, "lrrrrr") + "\n\n" + note


def sliders_table(r: dict) -> str:
    headers = ["chapter", "figure", "slider", "median (ms)", "p95 (ms)", "CPU (ms)"]
    rows = [[_chapter(x["notebook"], name=False), x["figure"].replace("_", " "), x["slider"],
             _ms(x["median_ms"]) + _mark(x["median_ms"] <= notebooks.SLIDER_MEDIAN_MS),
             _ms(x["p95_ms"]) + _mark(x["p95_ms"] <= notebooks.SLIDER_P95_MS),
             _ms(x["cpu_median_ms"]) if "cpu_median_ms" in x else ""] for x in r["rows"]]
    moves = [x["n"] for x in r["rows"]]
    text = table(headers, rows, "lllrrr")
    for name, error in r.get("errors", {}).items():
        text += f"\n\n{name} failed to run: `{error.splitlines()[-1] if error else ''}`"
    return text + ("\n\nEach slider moved through up to "
                   f"{r['positions']} positions, up and back down"
                   + (f" ({min(moves)} to {max(moves)} moves)" if moves else "")
                   + ", in a real kernel with the figure rendered; wall-clock times, and (CPU) the kernel's "
                   "median CPU time per move, which is what a move costs on an idle machine. "
                   "Targets: median <= 50 ms, 95th percentile <= 100 ms.")


def chapters_table(r: dict, build: dict | None) -> str:
    headers = ["chapter", "fresh kernel (s)", "of which kernel start (s)"]
    rows = []
    for x in r["rows"]:
        if "error" in x:
            rows.append([_chapter(x["notebook"]), "failed", ""])
        else:
            rows.append([_chapter(x["notebook"]), f"{x['seconds']:.1f}" + _mark(x["ok"]),
                         f"{x['kernel_start_s']:.1f}"])
    if build is not None:
        status = f"{build['seconds']:.0f}" + _mark(build["ok"])
        if build.get("returncode"):
            status += f" (failed, exit {build['returncode']})"
        rows.append(["whole book, built from scratch", status, ""])
    text = table(headers, rows, "lrr") + ("\n\nTargets: each chapter <= 10 s in a fresh kernel; the whole book "
                                          "(`make book`'s command, every static twin rendered) <= 3 min.")
    if build is not None and build.get("returncode"):
        last = [line for line in build.get("error", "").splitlines() if "WARNING" in line or "ERROR" in line]
        text += (f" The build exited with status {build['returncode']}, after the whole build (`--keep-going`): "
                 f"{len(last)} warning(s) or error(s) in its last lines, e.g. `{last[-1].strip() if last else ''}`.")
    return text


TITLES = {"step": "Training step", "digits": "Training to accuracy: digits",
          "optimizers": "The optimisers on the capstone's network", "scalar": "The scalar engine",
          "sliders": "Sliders", "chapters": "Chapters and the whole book"}


def render(results: dict) -> dict[str, str]:
    """Section name -> its table with a one-line note."""
    out = {}
    s = results.get("sections", {})
    if "step" in s:
        out["step"] = step_table(s["step"])
    if "digits" in s:
        out["digits"] = digits_table(s["digits"])
    if "optimizers" in s:
        out["optimizers"] = optimizers_table(s["optimizers"])
    if "scalar" in s:
        out["scalar"] = scalar_table(s["scalar"])
    if "sliders" in s:
        out["sliders"] = sliders_table(s["sliders"])
    if "chapters" in s or "build" in s:
        out["chapters"] = chapters_table(s.get("chapters", {"rows": []}), s.get("build"))
    return out


def machine_line(m: dict) -> str:
    return (f"Measured on {m['cpu']} ({m['cores']} cores), {m['platform']}, Python {m['python']}, "
            f"NumPy {m['numpy']} ({m.get('blas', 'BLAS unknown')}), BLAS and PyTorch threads: {m['threads']}"
            + (" (a quick run: not representative)" if m.get("quick") else "") + ". Under each table: when it was "
            "measured, and the machine's load average (processes ready to run, over a minute; 2 cores) "
            "at the start and the end of that section.")


def measured_line(section: dict | None, what: str = "Measured") -> str:
    m = (section or {}).get("measured")
    if not m:
        return ""
    threads = f" with {m['threads']} thread(s)" if "threads" in m else ""
    return (f"\n\n{what} {m['date']} in {m['seconds']:.0f} s{threads}; load average {m['load_start']} at the start, "
            f"{m['load_end']} at the end.")


def markdown(results: dict, level: int = 3) -> str:
    parts = [machine_line(results["machine"])]
    sections = results.get("sections", {})
    for name, text in render(results).items():
        when = measured_line(sections.get(name))
        if name == "chapters":
            when += measured_line(sections.get("build"), "The build: measured")
        parts.append(f"{'#' * level} {TITLES[name]}\n\n{text}{when}")
    return "\n\n".join(parts) + "\n"


def update_readme(readme: Path, results_md: str) -> bool:
    """Replace the text between the README's markers; False if the markers are missing."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), flags=re.S)
    if not pattern.search(text):
        return False
    body = results_md.replace("\n### ", "\n#### ")  # one level below the README's "### Results"
    readme.write_text(pattern.sub(lambda _: f"{README_START}\n{body}{README_END}", text), encoding="utf-8")
    return True
