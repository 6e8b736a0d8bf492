"""The hub: a Flask service that enrols edges and takes their sealed, signed batches over mutual TLS.

The application factory is hub.app.create_app; this package imports nothing.
"""
