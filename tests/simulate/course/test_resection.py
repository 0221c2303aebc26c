"""The simulator's conversion-surgery outcome counts R0 by the endpoint's one rule
(``clinical.course.r0_as_counted``): R0 recorded, CC-0 and CY0 at surgery."""

from __future__ import annotations

import pytest

from hipectrial.clinical.surgery.peritoneum import CcScore, Cytology, ResidualTumour
from hipectrial.data import Pathology
from hipectrial.simulate.course.disease import Resection

PATHOLOGY = Pathology(ypt="ypT2", ypn="ypN0", regression_grade="2", pcr=False)


@pytest.mark.parametrize(("r", "cc", "cy", "counted"), [
    (ResidualTumour.R0, CcScore.CC0, Cytology.CY0, True),
    (ResidualTumour.R0, CcScore.CC0, Cytology.CY1, False),   # CY1 at surgery counts as R1
    (ResidualTumour.R0, CcScore.CC0, Cytology.CYX, False),   # cytology not done: not assumed R0
    (ResidualTumour.R0, CcScore.CC1, Cytology.CY0, False),
    (ResidualTumour.R1, CcScore.CC0, Cytology.CY0, False),
])
def test_resection_counts_r0_as_the_endpoint_does(r, cc, cy, counted) -> None:
    assert Resection(r, cc, cy, PATHOLOGY).r0 is counted
