"""File writing shared by the tools."""
import os


def write_atomically(path, data):
    """Write via a temporary file in the same folder and a rename, so a
    failure never leaves a partial file where a good one was."""
    import tempfile   # here, not at import: most runs write no file
    fd, tmp = tempfile.mkstemp(prefix=".iree-lite-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
