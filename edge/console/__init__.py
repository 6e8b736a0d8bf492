"""The education staff's web console on the edge: Flask, server-rendered, no external assets.

    tables      the console's own tables in the edge store (staff, classes, kept learning records,
                marks, reward rules, awards)
    accounts    staff accounts: argon2 hashes, roles, the login rate limit
    learning    learning records kept for tutors as the relay commits them; who may see which
    progress    progress from xAPI statements (pure), charts as inline SVG (charts)
    marking     a mark becomes a `feedback` record in the edge store and a down message (edge.downlink)
    rewards     reward rules (pure evaluation) and `award` records
    downlink    the console's own broker user (write-only), to close a revoked tablet's connection
    app         the Flask application factory; views/ has one blueprint per resource
    server      HTTPS on the edge's server certificate (`throughgate edge console`)

This package's __init__ imports nothing, so the relay can keep learning records without Flask.
"""
