"""Output files, written the one way every tool writes them; input files
opened the one way every tool reads them (open_input).

A regular file (or a new one) is replaced atomically: the data goes to a
temporary file beside the final target (symlinks resolved, so a link is
kept and its target updated), which is then renamed over it; a failure
never leaves a partial file where a good one was. The temporary file is
created with mode 0o666, which the kernel narrows by the process umask, as
for any new file. A FIFO or device is written through; a directory is
refused. Temporary files left by killed writers are removed by the next
write into the same folder.
"""
import errno
import io
import os
import stat

TEMP_PREFIX = ".iree-lite-tmp-"   # then the writer's pid, '-' and a random tag

# A device read as an input file (not a regular file, pipe or terminal) may
# never end (/dev/zero, /dev/urandom): at most this much of one is read.
DEVICE_READ_LIMIT = 64 << 20


def open_input(path, encoding=None):
    """`path` opened for reading: binary, or text in `encoding`. A device
    that is not a terminal is read whole here, up to DEVICE_READ_LIMIT
    bytes, so that one that never ends is an OSError, not a hang."""
    f = open(path, "rb")
    try:
        mode = os.fstat(f.fileno()).st_mode
        if (stat.S_ISCHR(mode) or stat.S_ISBLK(mode)) and not f.isatty():
            data = f.read(DEVICE_READ_LIMIT + 1)
            if len(data) > DEVICE_READ_LIMIT:
                raise OSError(errno.EFBIG, f"a device that gives more than {DEVICE_READ_LIMIT} bytes, not a file")
            f.close()
            f = io.BytesIO(data)
    except BaseException:
        f.close()
        raise
    return io.TextIOWrapper(f, encoding=encoding) if encoding else f


def write_atomically(path, data):
    """Write `data` (bytes, or a list of bytes-like pieces written in turn)
    to `path`; raises OSError (IsADirectoryError for a directory)."""
    pieces = data if isinstance(data, list) else [data]
    target = os.path.realpath(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if mode is not None and not stat.S_ISREG(mode):   # a FIFO or device: no rename could reach it
        with open(target, "wb") as f:
            f.writelines(pieces)
        return
    folder = os.path.dirname(target)
    remove_stale_temporaries(folder)
    fd, tmp = _create_temporary(folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.writelines(pieces)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


def _create_temporary(folder):
    """(fd, path) of a new file in `folder` named TEMP_PREFIX + pid + tag."""
    while True:
        tmp = os.path.join(folder, f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(6).hex()}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), tmp
        except FileExistsError:
            continue


def remove_stale_temporaries(folder):
    """Remove the temporary files in `folder` whose writer process is gone
    (killed mid-write); those of running writers are left alone."""
    try:
        entries = [e.name for e in os.scandir(folder) if e.name.startswith(TEMP_PREFIX)]
    except OSError:
        return
    for name in entries:
        pid = name[len(TEMP_PREFIX):].partition("-")[0]
        if pid.isdigit() and not _running(int(pid)):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass   # removed by another writer meanwhile, or not ours to remove


def _running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:   # exists, owned by another user
        return True
    return True
