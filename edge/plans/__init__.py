"""Release plans at the edge: prison staff set a learner's release date and the plan's nine pathways
(wire/plans.py) at the console. Each edit is a `release_plan` record to the hub (which merges it per
field with what workers wrote there) and a `plan` down message to the learner's tablet, which shows the
plan before release; delivered means acknowledged by the tablet (edge.downlink)."""
