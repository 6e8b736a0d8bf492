"""Release plans: before release, staff set a release date and a plan along the resettlement pathways
(wire/plans.py PATHWAYS), each item with an owner, a status and notes. Workers write at the hub (the
workers' console, `throughgate hub people plan`), prison staff at their edge (its `release_plan`
records arrive in sealed batches); every field merges last-writer-wins, and a losing value is kept and
shown. The person's phone receives each item through their feed (`plan` entries).

- models:  plan_field (each field's winning value, who and when, and the losing values kept)
- service: reading a plan, merging an edit (a worker's or an edge's record), the feed entries
- cli:     `throughgate hub people plan PERSON [--set PATHWAY ...]`
"""
