"""Forms at the edge: the hub's published forms kept for the tablets (tables.py, pull.py), served to them on the
tablet API (api.py). What a tablet fills in goes back as a `form_submission` record (wire/forms.py)."""
