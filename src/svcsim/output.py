"""The output folder of a command, written as one set.

A command checks its folder before it computes anything (it can be created
and written, it is not a file, the disk has room), writes its files into a
staging folder inside it, and moves the finished set into place in one step.
A failure or an interrupt while writing leaves the previous set (or none):
never some files from this run beside others from the last.

Usage, in a command::

    out = OutputFolder(out_dir)        # checked now, before the work
    ...                                # compute
    with out.writing() as folder:      # write every file into ``folder``
        write_text(folder / "plans.csv", text)
    out.written                        # the final paths, for the printout
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from svcsim.scenario.errors import ScenarioError

MIN_FREE_BYTES = 64 * 1024 * 1024
"""Room a command needs on the output disk before it starts (its largest sets,
a roster workbook and charts, take a few megabytes)."""

STAGING_PREFIX = ".svcsim-writing-"

COMMIT_LOCK = threading.RLock()
"""Held while a finished set is moved into place; an interrupt that must end
the process waits for it, so the folder is never left half-swapped."""

_STAGING: set[Path] = set()
COMMITTED: list[Path] = []
"""Folders whose new set is in place (an interrupt after that says so)."""


class OutputError(ScenarioError):
    """The output folder cannot take the command's files."""


class OutputFolder:
    """A command's output folder, checked on creation.

    Parameters
    ----------
    path : str or Path
        The folder (created when missing, with its parents).
    option : str
        How the user names it, for messages (``--out``).

    Raises
    ------
    OutputError
        When ``path`` is a file, cannot be created or written, or its disk has
        less than ``MIN_FREE_BYTES`` free.
    """

    def __init__(self, path: str | Path, option: str = "--out"):
        self.path = Path(path)
        self.option = option
        self.written: list[Path] = []
        check_writable(self.path, option)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """Yield a staging folder; on a clean exit move every file written
        there into the output folder as one set, else discard them."""
        created = _make_folder(self.path, self.option)
        try:  # the check passed, but a folder can change, or access() be wrong (ACLs, NFS)
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.path))
        except OSError as exc:
            if created:
                with contextlib.suppress(OSError):
                    self.path.rmdir()
            raise _os_problem(self.path, self.option, exc) from None
        _STAGING.add(staging)
        try:
            try:
                yield staging
            except OSError as exc:
                raise _os_problem(self.path, self.option, exc, staging) from None
            self.written = _commit(staging, self.path, self.option)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if created:
                with contextlib.suppress(OSError):
                    self.path.rmdir()  # only if still empty
            raise
        finally:
            _STAGING.discard(staging)
            shutil.rmtree(staging, ignore_errors=True)

    def summary(self) -> str:
        """``wrote a, b, c`` for the command's printout."""
        return f"wrote {', '.join(str(p) for p in self.written)}"


def check_writable(path: Path, option: str = "--out") -> None:
    """Raise OutputError unless ``path`` is (or can be made) a writable folder
    on a disk with room."""
    if path.exists() and not path.is_dir():
        raise OutputError(str(path), [(option, "is a file, not a folder; give --out a "
                                       "folder (it is created if missing)")])
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(str(path), [(option, f"cannot create the folder: {existing} is a "
                                       "file; give --out another folder")])
    if not os.access(existing, os.W_OK | os.X_OK):
        what = "folder is" if existing == path else f"folder {existing} is"
        raise OutputError(str(path), [(option, f"cannot write here: the {what} not writable; "
                                       "give --out a folder you can write to")])
    free = shutil.disk_usage(existing).free
    if free < MIN_FREE_BYTES:
        raise OutputError(str(path), [(option, f"only {free / 2**20:.0f} MB free on its disk "
                                       f"(needs {MIN_FREE_BYTES / 2**20:.0f} MB); free some "
                                       "space or give --out another disk")])


def discard_staging() -> None:
    """Remove every staging folder still open (an interrupt ending the process)."""
    for staging in list(_STAGING):
        shutil.rmtree(staging, ignore_errors=True)


def _make_folder(path: Path, option: str) -> bool:
    """Create ``path`` if missing; True when this call created it."""
    if path.is_dir():
        return False
    try:
        path.mkdir(parents=True)
    except FileExistsError:
        return False
    except OSError as exc:
        raise _os_problem(path, option, exc) from None
    return True


def _commit(staging: Path, folder: Path, option: str) -> list[Path]:
    """Move the staged files into ``folder``: the previous versions go aside
    first and come back if any move fails; interrupts wait until it is done."""
    names = sorted(p.name for p in staging.iterdir())
    in_the_way = [name for name in names
                  if (folder / name).is_dir() and not (folder / name).is_symlink()]
    if in_the_way:
        raise OutputError(str(folder), [(option, (
            f"cannot write the output: {folder / in_the_way[0]} is a folder where the file "
            "goes; nothing was written; move it away or give --out another folder"))])
    aside = staging / ".previous"
    aside.mkdir()
    done: list[tuple[str, bool]] = []
    with COMMIT_LOCK, _signals_deferred():
        try:
            for name in names:
                had = (folder / name).exists()
                if had:
                    os.replace(folder / name, aside / name)
                done.append((name, had))
                os.replace(staging / name, folder / name)
        except OSError as exc:
            for name, had in reversed(done):
                with contextlib.suppress(OSError):
                    if (folder / name).exists():
                        os.replace(folder / name, staging / name)
                    if had:
                        os.replace(aside / name, folder / name)
            raise _os_problem(folder, option, exc) from None
    COMMITTED.append(folder)
    return [folder / name for name in names]


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    kinds = [s for s in (signal.SIGINT, signal.SIGTERM)]
    previous = {s: signal.getsignal(s) for s in kinds}
    for s in kinds:
        signal.signal(s, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        for s in kinds:
            signal.signal(s, previous[s])
        for signum in pending[:1]:
            signal.raise_signal(signum)


def _os_problem(path: Path, option: str, exc: OSError,
                staging: Path | None = None) -> OutputError:
    reason = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
              errno.EACCES: "permission denied", errno.EPERM: "permission denied",
              errno.EROFS: "the file system is read-only",
              errno.ENOTDIR: "a part of the path is a file"}.get(exc.errno, exc.strerror)
    where = Path(exc.filename) if exc.filename else path
    if staging is not None and where.parent == staging:
        # a temporary ``.name.XXXX.ext`` file: name the file it was becoming
        name = where.name[1:].rsplit(".", 2)[0] if where.name.startswith(".") else where.name
        where = path / name
    fix = ("free space or give --out another folder" if exc.errno in (errno.ENOSPC, errno.EDQUOT)
           else "give --out a folder you can write to")
    return OutputError(str(path), [(option, f"cannot write the output: {reason} "
                                    f"({where}); nothing was written, the "
                                    f"folder keeps its previous files; {fix}")])
