"""Bespoke forms (issue 14): an organisation's XLSForms, published at the hub as versioned definitions
(hub/forms/xlsform.py reads them, pyxform converts them to XForm), filled in on the person's phone and
sent with its sync as `form_submission` changes (hub/forms/submissions.py), each value checked by
hub/forms/fields.py; or on a tablet inside, the forms sent to the prison's edge (hub/forms/edge_api.py) and the
tablets' `form_submission` records stored the same way (hub/forms/from_edges.py); workers read and export them in
the workers' console (docs/forms.md)."""
