"""The edge_form table (migration m0008): the latest version of each form the hub published, as the hub sent it;
the edge_form_refusal table (m0009): each tablet submission the hub refused, as the hub's forms pull sent it."""

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


class EdgeFormRefusal(store.BaseModel):
    record_id = pw.CharField(max_length=36, primary_key=True)  # the form_submission record the hub refused
    device = pw.CharField(max_length=64)  # the tablet that sent it (its down message goes there)
    learner = pw.CharField(max_length=64)
    form_id = pw.CharField(max_length=64)
    version = pw.CharField(max_length=64)
    title = pw.CharField(max_length=200)  # the form's title as kept here when it came ("" if not kept)
    code = pw.CharField(max_length=40)
    reason = pw.TextField()  # the hub's words, naming the field
    refused_at = pw.CharField(max_length=30)  # at the hub
    received = pw.CharField(max_length=30)  # when this edge kept it

    class Meta:
        table_name = "edge_form_refusal"


MODELS = (EdgeForm, EdgeFormRefusal)
