"""The edge's course cache: courses the hub targets at this edge, kept on the box for tablets.

    tables.py    the SQLite tables this package owns (state per course, published versions, progress)
    blobs.py     the content-addressed cache folder: verified files by sha256, partial downloads
    plan.py      pure rules: which files are missing, which versions may go
    catalogue.py published versions (atomic publish, retain, reclaim) and per-course sync state
    source.py    the hub as a source: its signed course list and its files, streamed with Range
    sync.py      the sync pipeline: named stages in a fixed order, moved by a thin controller
    progress.py  learners part-way through a course version (what keeps an old version)
    serve.py     the tablet API's blueprint: GET /v1/courses and GET /v1/content/<sha256>, in a
                 CSP sandbox (nginx in front, an option the box does not use, is in bench/)
    cli.py       `throughgate edge courses sync|list`
"""
