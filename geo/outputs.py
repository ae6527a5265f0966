"""Where commands write: never over what they read, never through a link, whole files or none.

Every file a command writes goes through :func:`replacing`: it is written next to its target
under a temporary name and renamed over it when complete, so a crash, a full disk or a link
planted under the target's name never leaves a half-written file or changes another file.
:func:`refuse_overwrite` stops a command before it starts when one of its outputs is one of
its inputs. Failures become one Dutch :class:`OutputError` line instead of a traceback.
"""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pyogrio.errors

from geo.errors import GeoError


class OutputError(GeoError, OSError):
    """A file or folder cannot be written (read-only, full disk, not a folder, an input)."""


_REASONS = {
    errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "de schijf is vol (quotum bereikt)",
    errno.EROFS: "de schijf is alleen-lezen",
    errno.EACCES: "geen schrijfrechten",
    errno.EPERM: "geen schrijfrechten",
    errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
    errno.EISDIR: "dit is een map, geen bestand",
    errno.ENAMETOOLONG: "de naam is te lang",
}


def reason(error: OSError) -> str:
    """A Dutch reason for an operating-system error."""
    return _REASONS.get(error.errno or 0, error.strerror or str(error))


def cannot_write(path: Path, error: OSError) -> OutputError:
    """The error for a failed write of ``path``."""
    return OutputError(f"kan niet schrijven in {path}: {reason(error)}")


@contextmanager
def owner_only() -> Iterator[None]:
    """Files and folders created inside are readable by their owner only (umask 077)."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def ensure_dir(path: Path) -> Path:
    """Create folder ``path`` (and its parents) or say in Dutch why that is impossible."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        msg = f"kan niet schrijven in {path}: dit is een bestand, geen map"
        raise OutputError(msg) from None
    except OSError as error:
        raise cannot_write(path, error) from None
    return path


@contextmanager
def replacing(path: Path, *, private: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write ``path``'s new content to; rename it over ``path`` after.

    The temporary file has the same suffix (GDAL picks drivers by it) and does not exist yet.
    A link at ``path`` is replaced by the new file, never followed. ``private`` files are
    created owner-only (0600). On any failure the temporary file is removed and ``path`` keeps
    its old content.
    """
    with owner_only() if private else nullcontext():  # new folders of private files too
        ensure_dir(path.parent)
    if path.is_dir() and not path.is_symlink():
        msg = f"kan niet schrijven in {path}: dit is een map, geen bestand"
        raise OutputError(msg)
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        with owner_only() if private else nullcontext():
            yield temporary
        if private:
            temporary.chmod(0o600)
        temporary.replace(path)
    except OSError as error:
        raise cannot_write(path, error) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        msg = f"kan niet schrijven in {path}: {error}"
        raise OutputError(msg) from None
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + "-journal")):
            leftover.unlink(missing_ok=True)


def resolved(path: Path) -> Path:
    """``path`` absolute, with links and ``..`` resolved (also where it does not exist yet),
    to compare paths."""
    return path.resolve()


def refuse_overwrite(outputs: Iterable[Path], inputs: Iterable[Path | None]) -> None:
    """Stop before anything is written when an output would replace an input.

    Paths are compared after resolving links; an input folder protects every file in it.
    """
    read = [resolved(p) for p in inputs if p is not None]
    for output in outputs:
        target = resolved(output)
        for source in read:
            if target.is_relative_to(source) or source.is_relative_to(target):  # or the same
                msg = (
                    f"{output} zou een invoerbestand ({source.name}) overschrijven; "
                    "kies een andere uitvoermap of geef de invoer een andere naam"
                )
                raise OutputError(msg)
