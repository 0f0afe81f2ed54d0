"""How the codes table is laid out in a REFI-QDA project, shared by reading and writing.

A project's codebook is ``mechanism/dimension/level`` (``power/care/2``), plus a code
:data:`COUNTERFACTUAL_CODE` marking a counterfactual instance and ``actor/<role>``
(:data:`ACTOR_CODE`) naming the actor. A text source is named by its source type and wave
(:func:`source_name`); a case's name is the youth_id.
"""

from __future__ import annotations

import re

__all__ = ["QDA_NAMESPACE", "COUNTERFACTUAL_CODE", "ACTOR_CODE", "source_name", "WAVE_IN_NAME"]

#: XML namespace of QDA-XML 1.0 (``Project.xsd`` of 18 March 2019)
QDA_NAMESPACE = "urn:QDA-XML:project:1.0"
#: code that marks the selection's instance counterfactual, anywhere in the codebook
COUNTERFACTUAL_CODE = "counterfactual"
#: parent code of the actor roles
ACTOR_CODE = "actor"
#: the wave in a source's name: ``w1``, ``w2`` or ``w3`` not inside a longer word or number
WAVE_IN_NAME = re.compile(r"(?:^|[^A-Za-z0-9])[wW]([123])(?![0-9])")


def source_name(source: str, wave: int, youth_id: str) -> str:
    """Name of the text source written for one youth, source type and wave.

    It starts with the source type and carries the wave as ``w<wave>``, as the reader
    expects of any project.
    """
    return f"{source}_w{wave}_{youth_id}"
