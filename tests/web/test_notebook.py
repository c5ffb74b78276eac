"""examples/resilience.ipynb runs headless (nbclient, a real kernel) and its outputs say what it claims."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
from PIL import Image

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "resilience.ipynb"


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")


def _png(cell) -> np.ndarray:
    data = next(o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {}))
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))


def test_example_notebook_runs_and_its_outputs_hold(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.get("output_type") == "error"]
    flown, planned = (float(v) for v in re.findall(r"contact at\s+([\d.]+) m/s", _text(code[0])))
    assert flown > 30.0 and planned < 3.0  # the crash as flown, the soft landing as planned
    m = re.search(r"(\d+) m up, believed (\d+) m", _text(code[1]))
    assert m and int(m.group(2)) > 2 * int(m.group(1))  # it believed it was far higher
    plot = _png(code[1])
    assert plot.shape[1] > 400 and plot.std() > 5.0  # a figure with curves, not a blank canvas
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in code[2].outputs), \
        "lunarviz.show should give the interactive widget in a kernel"
    still = _png(code[3])
    assert still.shape == (450, 800, 3) and still.std() > 10.0
    whatif = float(re.search(r"what-if: contact at ([\d.]+) m/s", _text(code[4])).group(1))
    assert whatif < 3.0 and "soft landings" in _text(code[4])
