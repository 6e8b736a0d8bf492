"""The person the hub serves from cell to community: a pseudonymous id (`P-XXXX-XXXX`), the learner
ids they had at each prison, their release, and their phones (hub/phones).

- models:     person, person_learner, activation_code
- service:    adding and linking people, release, activation codes (one use, expiring, limited)
- cli:        `throughgate hub people add|list|show|link|release|code`
"""
