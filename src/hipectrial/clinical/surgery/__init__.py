"""Surgery: the peritoneal cancer index and completeness of cytoreduction, Clavien-Dindo grades and the
conversion criteria.
"""
