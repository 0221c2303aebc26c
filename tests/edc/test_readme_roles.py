"""The README's roles table is the permission table (src/hipectrial/edc/accounts/roles.py)."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_roles_table_equals_the_permission_table() -> None:
    from hipectrial.edc.accounts.roles import PERMISSIONS, Action, Role

    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- roles-table -->", 1)[1].split("<!-- /roles-table -->", 1)[0]
    lines = [line for line in table.strip().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[1:] == [role.value.replace("_", " ") for role in Role]
    shown: dict[Role, set[Action]] = {role: set() for role in Role}
    actions = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        action = Action(cells[0].strip("`"))
        actions.append(action)
        for role, cell in zip(Role, cells[1:], strict=True):
            assert cell in ("●", ""), line
            if cell == "●":
                shown[role].add(action)
    assert actions == list(Action)
    assert shown == {role: set(PERMISSIONS[role]) for role in Role}
