"""``hipectrial pci``: the Peritoneal Cancer Index from the 13 regional lesion-size scores."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from hipectrial.cli.output import echo_json
from hipectrial.errors import InputError

_WHOLE = re.compile(r"[0-9]+")


def parse_regions(text: str) -> list[int]:
    """The comma-separated scores of ``--regions``, region 0 first.

    Each item must be a whole number written in digits; the count and the 0-3 range are
    checked by :func:`~hipectrial.clinical.surgery.peritoneum.peritoneal_cancer_index`.

    >>> parse_regions("0, 1,2")
    [0, 1, 2]
    """
    from hipectrial.clinical.surgery.peritoneum import PCI_REGION_NAMES, region_field

    items = [item.strip() for item in text.split(",")]
    if len(items) > len(PCI_REGION_NAMES):
        raise InputError("regions", text, f"{len(PCI_REGION_NAMES)} comma-separated scores 0-3",
                         f"{len(items)} were given")
    scores = []
    for number, item in enumerate(items):
        if not _WHOLE.fullmatch(item):
            raise InputError(region_field(number), item,
                             f"a lesion-size score 0-3 for region {number} "
                             f"({PCI_REGION_NAMES[number]})",
                             "--regions takes 13 whole numbers separated by commas")
        scores.append(int(item))
    return scores


def pci(
    regions: Annotated[str, typer.Option(
        "--regions", metavar="S0,S1,...,S12",
        help="The lesion-size score (0-3) of each of the 13 regions, region 0 (central) first, "
             "comma-separated.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Compute the Peritoneal Cancer Index (0-39) and show each region's score by name."""
    from hipectrial.clinical.surgery.peritoneum import PCI_MAX, PCI_REGION_NAMES, peritoneal_cancer_index

    result = peritoneal_cancer_index(scores=parse_regions(regions))
    if as_json:
        echo_json({"total": result.total, "max": PCI_MAX,
                   "regions": [{"region": r.region, "name": r.name, "score": int(r.score)}
                               for r in result.regions],
                   "steps": list(result.steps)})
        return
    width = max(len(name) for name in PCI_REGION_NAMES)
    typer.echo(f"PCI {result.total} (of {PCI_MAX})")
    for r in result.regions:
        typer.echo(f"  {r.region:>2}  {r.name:<{width}}  {int(r.score)}")


def register(app: typer.Typer) -> None:
    """Add the ``pci`` command to ``app``."""
    app.command("pci")(pci)
