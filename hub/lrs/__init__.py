"""Standards out: the hub's learning records as xAPI 1.0.3 statements, forwarded to any Learning
Record Store and exported as a file.

    statements.py  record row -> statement (pure; the mapping per record kind)
    models.py      the forwarder's cursor and the records it could not turn into statements
    client.py      POST/PUT to the LRS's /statements (Basic auth, X-Experience-API-Version)
    forward.py     one forwarding run: page after the cursor, send, advance; backoff on errors
    job.py         the forwarder thread `hub run` starts when LRS_URL is set
    export.py      statements since a time (optionally one learner's) as a JSON array
    cli.py         `throughgate hub lrs forward|export`
"""
