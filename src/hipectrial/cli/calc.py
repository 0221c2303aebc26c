"""``hipectrial calc …``: the bedside calculators, one command module each."""

from __future__ import annotations

import typer

from hipectrial.cli import calc_ctcae, calc_dose, calc_pci, calc_recist

app = typer.Typer(
    help="Bedside calculators: BSA, CrCl, doses, CTCAE grades, PCI and RECIST 1.1, "
    "each showing its working.",
    no_args_is_help=True,
)
calc_dose.register(app)
calc_ctcae.register(app)
calc_pci.register(app)
calc_recist.register(app)
