"""Pure clinical calculators and rules (BSA, CrCl, dosing, CTCAE v5, RECIST 1.1, PCI, eligibility).

Empty until the clinical-engine issue lands; see DESIGN.md.
"""
