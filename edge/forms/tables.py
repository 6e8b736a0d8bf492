"""The edge_form table (migration m0008): the latest version of each form the hub published, as the hub sent it."""

from __future__ import annotations

import peewee as pw

from edge import store


class EdgeForm(store.BaseModel):
    form_id = pw.CharField(max_length=64, primary_key=True)
    version = pw.CharField(max_length=64)
    title = pw.CharField(max_length=200)
    document = pw.TextField()  # JSON: the form's field list (docs/forms.md "The field list"), as the hub sent it
    fetched_at = pw.CharField(max_length=30)  # when this version came from the hub

    class Meta:
        table_name = "edge_form"


MODELS = (EdgeForm,)
