"""The workers' console's pages, one blueprint per resource: people (and release, codes, letters,
phones), messages."""
