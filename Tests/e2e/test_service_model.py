"""The Swift table of shapes, errors and routes is what the pinned botocore's model says."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_generated_service_model_is_current():
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "scripts", "generate-service-model.py"), "--check"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "is current" in result.stdout
