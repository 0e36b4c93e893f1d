"""The README's examples are the code the suite runs."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_readme_shows_the_pytest_example_exactly_as_tested():
    example = (REPO / "Tests" / "e2e" / "test_readme_example.py").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "```python\n" + example + "```\n" in readme
