"""`make bench`: how fast Throughgate moves records on this machine. Entry point: bench/run.py."""
