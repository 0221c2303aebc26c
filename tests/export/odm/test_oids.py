"""OIDs: stable, derived from protocol ids, never shared by two things."""

from __future__ import annotations

import pytest

from hipectrial.errors import InputError
from hipectrial.export.odm.layout import odm_layout
from hipectrial.export.odm.oids import location_oid, mdv_oid, unit_oid, user_oid
from hipectrial.protocol.units import UNITS

from ..protocols import edited_protocol, form_of


def test_every_known_unit_has_an_oid_of_its_own() -> None:
    oids = [unit_oid(u) for u in UNITS]
    assert len(set(oids)) == len(oids)


def test_unit_oids_spell_out_signs() -> None:
    assert [unit_oid(u) for u in ("10^9/L", "%", "mg/m2", "g/L")] == [
        "MU.10E9-PER-L", "MU.PCT", "MU.MG-PER-M2", "MU.G-PER-L"]


@pytest.mark.parametrize(("a", "b"), [("nurse.li", "nurse li"), ("a b", "a_x0020_b"), ("Dr Wang", "Dr_Wang")])
def test_different_user_names_get_different_oids(a: str, b: str) -> None:
    assert user_oid(a) != user_oid(b)


def test_oids_of_sites_users_and_versions() -> None:
    assert (location_oid("SH01"), user_oid("nurse.li"), mdv_oid("1.0")) == ("LOC.SH01", "USR.nurse.li", "MDV.1.0")


def test_a_crf_and_a_record_table_of_one_name_get_different_oids() -> None:
    # adverse_events is both a CRF of the seed protocol and a typed record table.
    placements = {p.table.id: p for p in odm_layout(edited_protocol(lambda d: None)).placements}
    assert placements["form_adverse_events"].form_oid == "F.ADVERSE_EVENTS"
    assert placements["adverse_events"].form_oid == "F.RECORDS.ADVERSE_EVENTS"


def test_refuses_a_protocol_oid_that_another_definition_derives() -> None:
    def clash(document: dict) -> None:  # type: ignore[type-arg]
        form_of(document, "labs")["oid"] = "F.RECORDS.DOSES"  # the typed table doses' form

    with pytest.raises(InputError, match=r"F\.RECORDS\.DOSES.*both get it") as caught:
        odm_layout(edited_protocol(clash))
    assert caught.value.field == "oid"
