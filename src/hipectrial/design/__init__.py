"""Statistical designs (Simon two-stage, BOIN, 3+3, exact intervals).

Empty until the design-engine issue lands; see DESIGN.md.
"""
