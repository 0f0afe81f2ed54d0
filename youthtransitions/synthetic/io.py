"""Write a synthetic study to a folder: the study folder, its data dictionary and truth."""

from __future__ import annotations

import os
from pathlib import Path

from ..study import Study
from ..study.folder import check_target
from ..study.folder import write_study as write_study_folder
from .dictionary import data_dictionary

__all__ = ["write_study", "check_target", "DESCRIPTION"]

#: ``description`` of a synthetic study's ``study.json``
DESCRIPTION = ("Synthetic NZ Youth Transitions study drawn by youthtransitions.synthesize; "
               "no real person's data. See data_dictionary.md and truth.json.")


def write_study(study: Study, out_dir: str | os.PathLike, *, force: bool = False) -> Path:
    """Write ``study`` to ``out_dir`` atomically and return the folder.

    Parameters
    ----------
    study : Study
        A study from :func:`~youthtransitions.synthetic.synthesize` (any Study works; the
        synthetic marker follows ``study.synthetic``).
    out_dir : path
        Target folder. It may be missing, empty, or hold a study (``study.json``); any other
        non-empty folder is refused unless ``force``.
    force : bool, keyword-only
        Write into a non-empty folder that holds no study.

    Notes
    -----
    The folder as :func:`youthtransitions.study.folder.write_study` writes it (one Parquet
    per table, ``study.json``, ``truth.json`` when the study carries one; a rewrite removes
    the tables of the previous study it did not rewrite), with :data:`DESCRIPTION` in
    ``study.json`` and ``data_dictionary.md``. Two writes of one study are byte-identical.
    """
    dictionary = data_dictionary(study).encode()
    return write_study_folder(study, out_dir, force=force, description=DESCRIPTION,
                              extra_files={"data_dictionary.md": dictionary})
