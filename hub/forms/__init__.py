"""Bespoke forms (issue 14): an organisation's XLSForms, published at the hub as versioned definitions
(hub/forms/xlsform.py reads them, pyxform converts them to XForm), filled in on the person's phone and
sent with its sync as `form_submission` changes (hub/forms/submissions.py), each value checked by
hub/forms/fields.py; workers read and export them in the workers' console (docs/forms.md)."""
