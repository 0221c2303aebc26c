"""The web EDC: a Django project on the core (``../shared/DESIGN.md``, STYLE.md "The Django shell").

Apps by trial concept: ``sites``, ``accounts`` (users, roles, the permission table),
``participants`` (screening, registration), ``crfs`` (visits and clinical records entered
through the protocol's forms), ``audit`` (the hash-chained, append-only trail). Writes go
through each app's ``services`` (one transaction with the audit entry); reads through
``selectors``; every rule is the core's.

Importing this package imports no Django: the command line configures Django only when a
command that needs it runs (:func:`hipectrial.edc.bootstrap.setup`).
"""
