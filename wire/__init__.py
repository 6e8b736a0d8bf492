"""What travels between tablet, edge and hub: records, topics, sealed batches, receipts and keys.

Pure formats and rules only; nothing here opens a socket or a file.
"""
