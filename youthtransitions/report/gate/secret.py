"""The rounding secret: 32 random bytes kept outside every study folder, never published.

The secret decides, with the study's content and the count, which way each count is rounded.
Whoever holds it can undo the rounding, so it lives in the user's configuration directory
(``platformdirs.user_config_dir("youthtransitions")/disclosure-secret``, or the file named by
``YT_DISCLOSURE_SECRET_FILE``), readable by its owner only, and is created on first use. It is
never written into a study or an output folder, and nothing derived from it is logged.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from ...errors import UsageError

__all__ = ["SECRET_ENV", "SECRET_BYTES", "secret_path", "load_secret"]

#: environment variable naming the secret file (tests, data labs with a shared key)
SECRET_ENV = "YT_DISCLOSURE_SECRET_FILE"
#: length of the secret
SECRET_BYTES = 32


def secret_path() -> Path:
    """Where the rounding secret is kept: ``$YT_DISCLOSURE_SECRET_FILE`` or the user's
    configuration directory."""
    override = os.environ.get(SECRET_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("youthtransitions")) / "disclosure-secret"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _create(path: Path) -> None:
    """Write a new secret so that no reader ever sees a partial file: a private temporary
    file in the same folder, then a hard link (which fails if another process won)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(SECRET_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def load_secret(path: str | os.PathLike | None = None, *,
                study_folder: str | os.PathLike | None = None) -> bytes:
    """Read the rounding secret, creating it (0600, 32 random bytes) on first use.

    Parameters
    ----------
    path : path, optional
        The secret file; default :func:`secret_path`.
    study_folder : path, optional
        The study's folder: a secret inside it is refused (it would travel with the data).

    Raises
    ------
    UsageError
        The file lies inside the study folder, is readable by others, or is not 32 bytes.
    """
    path = Path(path).expanduser() if path is not None else secret_path()
    if study_folder is not None and _inside(path, Path(study_folder)):
        raise UsageError(f"the disclosure secret {path} lies inside the study folder "
                         f"{study_folder}; keep it in your configuration directory or point "
                         f"{SECRET_ENV} outside the study")
    if not path.exists():
        _create(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise UsageError(f"the disclosure secret {path} is readable by others "
                         f"(mode {mode:o}); run: chmod 600 {path}")
    data = path.read_bytes()
    if len(data) == SECRET_BYTES:
        return data
    raise UsageError(f"the disclosure secret {path} is not {SECRET_BYTES} bytes; remove it to "
                     "create a new one (every rounded count will then change)")
