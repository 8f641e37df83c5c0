import shutil

import pytest


@pytest.fixture(scope="session")
def reference_iree():
    """Paths of the real iree-compile and iree-run-module (`pip install '.[compare]'`)."""
    tools = {name: shutil.which(name) for name in ("iree-compile", "iree-run-module")}
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        pytest.skip(f"reference IREE not installed ({', '.join(missing)} not on PATH)")
    return tools
