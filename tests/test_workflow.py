"""The GitHub Actions workflow instructors fork (.github/workflows/book.yml).

It is validated offline against GitHub's workflow schema as vendored by check-jsonschema (any
download attempt is pointed at a closed loopback port, so it would fail), and its commands are
checked against the README's, so the two cannot drift apart: the build job runs exactly the
README's "Two commands", in order, after installing Debian's chromium the way .ci/run does.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"


def load_workflow(path=WORKFLOW) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in workflow:  # YAML 1.1 (PyYAML) reads the key `on` as the boolean true
        workflow["on"] = workflow.pop(True)
    return workflow


def readme_commands() -> list[str]:
    """The commands of the README's "Two commands" block (its first indented code block)."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Two commands\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "README.md has no '## Two commands' section"
    block = re.search(r"((?:^    \S.*\n)+)", section.group(1), re.M)
    assert block, "the README's Two commands section has no indented command block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines()]


def check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    closed = "http://127.0.0.1:9"  # discard port: nothing listens, so no download can succeed
    env = {**os.environ, "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "http_proxy": closed,
           "https_proxy": closed, "NO_PROXY": "", "no_proxy": ""}
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         str(path)], capture_output=True, text=True, env=env, timeout=120)


def test_workflow_validates_offline():
    result = check_jsonschema(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    """The check can fail: a job without runs-on and a step with both uses and run."""
    text = WORKFLOW.read_text(encoding="utf-8")
    broken = text.replace("    runs-on: ubuntu-latest\n    # Debian", "    # Debian", 1)
    broken = broken.replace("      - uses: actions/checkout@v7\n",
                            "      - uses: actions/checkout@v7\n        run: echo both\n", 1)
    assert broken.count("run: echo both") == 1 and broken.count("runs-on:") == 1
    path = tmp_path / "broken.yml"
    path.write_text(broken, encoding="utf-8")
    result = check_jsonschema(path)
    assert result.returncode != 0 and "validation error" in (result.stdout + result.stderr)


def test_build_job_runs_the_readmes_commands():
    commands = readme_commands()
    assert commands == ["make book", "make test"], commands
    steps = load_workflow()["jobs"]["build"]["steps"]
    runs = [step["run"].strip() for step in steps if "run" in step]
    install, *rest = runs
    assert rest == commands, f"the workflow runs {rest}, the README says {commands}"
    ci_install = re.search(r"apt-get update.*?install.*?chromium", CI_RUN.read_text())
    assert ci_install, ".ci/run does not install chromium with apt-get"
    assert install == ci_install.group(0), \
        f"chromium installed as {install!r}, .ci/run installs it as {ci_install.group(0)!r}"


def test_triggers_python_node_and_upload():
    workflow = load_workflow()
    assert {"push", "pull_request"} <= set(workflow["on"])
    build = workflow["jobs"]["build"]
    assert build["container"].startswith("python:3.11-"), "Python 3.11 on Debian"
    uses = [step.get("uses", "") for step in build["steps"]]
    assert any(u.startswith("actions/setup-node@") for u in uses)
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith(
        "actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html"
    order = [u or s.get("run", "") for u, s in zip(uses, build["steps"])]
    assert order.index("make test") < order.index(upload["uses"]), "upload after the tests pass"


def test_the_pdf_is_uploaded_with_the_site():
    """make book writes _build/pdf/<title>.pdf and its copy in _build/html (the download link);
    both leave the job: the PDF as an artifact of its own, the copy inside the Pages upload."""
    steps = load_workflow()["jobs"]["build"]["steps"]
    order = [s.get("uses") or s.get("run", "").strip() for s in steps]
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")
               and s["with"]["path"].strip().startswith("_build/pdf/")]
    assert len(uploads) == 1, "no step uploads _build/pdf/*.pdf"
    upload = uploads[0]
    assert upload["with"].get("if-no-files-found") == "error", "a missing PDF must fail the job"
    assert order.index("make test") < steps.index(upload), "the PDF is uploaded after its test"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    book = re.search(r"^book:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert book and "$(MAKE) --no-print-directory pdf" in book.group(1), \
        "make book no longer builds the PDF that the Pages upload carries"


def test_actions_pinned_by_major_version():
    jobs = load_workflow()["jobs"].values()
    uses = [step["uses"] for job in jobs for step in job["steps"] if "uses" in step]
    assert uses
    loose = [u for u in uses if not re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", u)]
    assert not loose, f"not pinned to a major version: {loose}"


def test_caches_keyed_on_the_lock_files():
    steps = load_workflow()["jobs"]["build"]["steps"]
    caches = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert len(caches) == 1
    cache = caches[0]["with"]
    assert ".venv" in cache["path"].split()
    for lock in ("constraints.txt", "package-lock.json"):
        assert f"'{lock}'" in cache["key"] and "hashFiles(" in cache["key"], lock


def test_pages_deploy_only_from_the_default_branch():
    deploy = load_workflow()["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert "github.event_name == 'push'" in deploy["if"]
    assert "github.event.repository.default_branch" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


@pytest.mark.parametrize("section", ["## Run it yourself", "## Teach with it"])
def test_readme_says_what_to_run(section):
    text = README.read_text(encoding="utf-8")
    assert section in text
    body = text.split(section, 1)[1].split("\n## ", 1)[0]
    assert "make " in body or "book.yml" in body
