"""The OIDs of the ODM document: stable, derived from protocol ids, unique in the file.

EXPORT-SPEC.md's rule: the protocol's ``oid`` where it gives one (forms, fields, code lists,
visits), otherwise a prefix and the id. The prefixes:

=========================  ===============================================================
``ODM.<study>.<cut-off>``  the file (``FileOID``)
``MDV.<version>``          the metadata version: the protocol version
``SE.<visit>``             a visit of the schedule; ``SE.RECORDS`` the typed records
``F.<form>`` ``IG.<form>`` a CRF and its item group; ``IT.<form>.<field>`` its fields
``F.RECORDS.<table>``      a typed record table (``IG.RECORDS.<table>``,
                           ``IT.RECORDS.<table>.<column>``), dotted so that no CRF id can
                           produce it (``adverse_events`` is both a CRF and a table)
``CL.<code list>``         a protocol code list; ``CL.PROTOCOL.VISITS``,
                           ``CL.VOCAB.SEX``… the lists of protocol ids and vocabularies
``MU.<unit>``              a unit (``MU.10E9-PER-L`` for ``10^9/L``, ``MU.PCT`` for ``%``)
``CE.<form>.<field>``      a field's ``show_if`` as a collection exception
``RC.<form>.<check>``      an edit check (rule / check)
``LOC.<site>``             a site; ``USR.<user name>`` a user
=========================  ===============================================================

Two definitions that would get one OID (a protocol ``oid`` equal to a derived one) are
refused by :func:`hipectrial.export.odm.layout.odm_layout`, naming both.
"""

from __future__ import annotations

import re

from hipectrial.protocol.common import oid_part

# ODM 1.3.2 §2.10 names the language of a TranslatedText by xml:lang (RFC 3066 / BCP 47).
LANG_EN = "en"
LANG_ZH = "zh-Hans"

RECORDS_EVENT = "SE.RECORDS"

_UNIT_WORDS = (("^", "E"), ("%", "PCT"), ("/", "-PER-"), ("*", "-TIMES-"))
_SAFE = re.compile(r"[^A-Za-z0-9._\-]")


def unit_oid(unit: str) -> str:
    """The OID of a unit: letters kept, ``^`` ``%`` ``/`` spelt out so units stay apart.

    >>> unit_oid("10^9/L"), unit_oid("%"), unit_oid("mg/m2")
    ('MU.10E9-PER-L', 'MU.PCT', 'MU.MG-PER-M2')
    """
    text = unit
    for sign, word in _UNIT_WORDS:
        text = text.replace(sign, word)
    return "MU." + oid_part(text)


def dotted(name: str) -> str:
    """A dotted name (``vocab.AssessmentMethod``) as OID segments, each upper case.

    >>> dotted("protocol.visits"), dotted("vocab.AssessmentMethod")
    ('PROTOCOL.VISITS', 'VOCAB.ASSESSMENTMETHOD')
    """
    return ".".join(oid_part(part) for part in name.split("."))


def escaped(name: str) -> str:
    """``name`` as an OID segment: characters other than letters, digits, ``.``, ``_`` and
    ``-`` are written ``_xHHHH_`` (as XML names escape them), so two names never meet.

    >>> escaped("nurse.li"), escaped("Dr Wang"), escaped("a_x")
    ('nurse.li', 'Dr_x0020_Wang', 'a_x005F_x')
    """
    return _SAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", name.replace("_x", "_x005F_x"))


def user_oid(user: str) -> str:
    """The OID of a user named in provenance (``USR.nurse.li``)."""
    return "USR." + escaped(user)


def location_oid(site_id: str) -> str:
    """The OID of a site (``LOC.SH01``)."""
    return "LOC." + escaped(site_id)


def mdv_oid(version: str) -> str:
    """The OID of the metadata version of protocol version ``version``.

    >>> mdv_oid("1.0")
    'MDV.1.0'
    """
    return "MDV." + _SAFE.sub("_", version)
