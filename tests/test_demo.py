"""The README's first command: the demo runs the whole story and ends green."""

from __future__ import annotations

from pathlib import Path

from testing.repos import run_gate


def test_demo_walks_an_incident_through_every_gate(tmp_path: Path) -> None:
    result = run_gate(tmp_path, "demo")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    order = [
        "HG101 severity: severity is not set",
        "hotfix-gate pre-push to main: blocked",
        "severity: null -> P0",
        "status: investigating -> fix-deployed",
        "HG202 regression-test",
        "HG201 post-mortem",
        "MTTR",
    ]
    positions = [out.find(text) for text in order]
    assert all(p >= 0 for p in positions), dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)
    final_check = out[positions[-2]:positions[-1]]
    assert "hotfix-gate: passed: 0 blocking" in final_check
    assert "Traceback" not in out + result.stderr
    assert not list(tmp_path.iterdir())  # the throwaway repository is gone
