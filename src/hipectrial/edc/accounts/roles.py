"""The roles of the trial team and what each may do: **the one permission table**.

Every page (and later the API) asks :func:`hipectrial.edc.accounts.permissions.check`,
which reads only :data:`PERMISSIONS`. A role is held at a site (a membership with that
site) or at every site (a membership with no site); a permission held through a site
membership applies to that site's participants only.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Role(StrEnum):
    INVESTIGATOR = "investigator"
    COORDINATOR = "coordinator"
    PHARMACIST = "pharmacist"
    MONITOR = "monitor"
    DATA_MANAGER = "data_manager"
    STATISTICIAN = "statistician"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Action(StrEnum):
    """What a user may ask to do. Clinical data are participants' records and CRFs."""

    VIEW_PARTICIPANT = "view_participant"  # see a participant, their CRFs and history
    SCREEN = "screen"  # start screening (consent): a new participant
    REGISTER = "register"  # register an eligible participant
    ENTER_DATA = "enter_data"  # create and change CRF records
    ENTER_DOSING = "enter_dosing"  # the dosing form (prescription, administration)
    DELETE_DATA = "delete_data"  # delete a CRF record (with a reason)
    END_PARTICIPATION = "end_participation"  # off treatment, off study
    VIEW_AUDIT = "view_audit"  # the audit trail of records
    SNAPSHOT = "snapshot"  # download the trial's data (TrialData)
    IMPORT_DATA = "import_data"  # load a TrialData into an empty database
    MANAGE_USERS = "manage_users"  # create users, give and take roles
    MANAGE_SITES = "manage_sites"  # add sites


_A = Action
# role -> the actions it allows. Clinical writes belong to the site team only; a monitor
# reads across the sites they are assigned to and never writes clinical data.
PERMISSIONS: Final = MappingProxyType(
    {
        Role.INVESTIGATOR: frozenset(
            {
                _A.VIEW_PARTICIPANT,
                _A.SCREEN,
                _A.REGISTER,
                _A.ENTER_DATA,
                _A.ENTER_DOSING,
                _A.DELETE_DATA,
                _A.END_PARTICIPATION,
                _A.VIEW_AUDIT,
            }
        ),
        Role.COORDINATOR: frozenset(
            {
                _A.VIEW_PARTICIPANT,
                _A.SCREEN,
                _A.REGISTER,
                _A.ENTER_DATA,
                _A.DELETE_DATA,
                _A.END_PARTICIPATION,
                _A.VIEW_AUDIT,
            }
        ),
        Role.PHARMACIST: frozenset({_A.VIEW_PARTICIPANT, _A.ENTER_DOSING}),
        Role.MONITOR: frozenset({_A.VIEW_PARTICIPANT, _A.VIEW_AUDIT}),
        Role.DATA_MANAGER: frozenset({_A.VIEW_PARTICIPANT, _A.VIEW_AUDIT, _A.SNAPSHOT}),
        Role.STATISTICIAN: frozenset({_A.SNAPSHOT}),
        Role.ADMINISTRATOR: frozenset({_A.VIEW_AUDIT, _A.IMPORT_DATA, _A.MANAGE_USERS, _A.MANAGE_SITES}),
    }
)

# Actions about the trial as a whole (no site): held through any membership of the role.
TRIAL_WIDE: Final = frozenset({_A.SNAPSHOT, _A.IMPORT_DATA, _A.MANAGE_USERS, _A.MANAGE_SITES})
