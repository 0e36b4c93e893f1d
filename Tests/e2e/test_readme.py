"""The README's examples are the code the suite runs."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_readme_shows_the_pytest_example_exactly_as_tested():
    example = (REPO / "Tests" / "e2e" / "test_readme_example.py").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "```python\n" + example + "```\n" in readme


def test_every_relative_link_in_the_readme_and_docs_names_a_file():
    import re
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    missing = []
    for page in pages:
        for target in re.findall(r"\[[^\]\n]+\]\(([A-Za-z0-9_./-]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            if not (page.parent / target).exists():
                missing.append(f"{page.relative_to(REPO)} -> {target}")
    assert not missing, missing
