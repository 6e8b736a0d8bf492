"""Transfers between prisons (issue 11): a learner who arrives from another prison brings their record. The hub
keeps the person's learner ids at each prison; the edge pulls what the person did at earlier prisons
(GET /v1/edge/transfers), imports it under the learner's id here, and only then tells the hub it arrived."""
