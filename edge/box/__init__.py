"""The box: one site file (firmware-config/) rendered into the box's own configuration, and checked
with the real tools. site: the schema and its rules (pure); render: site -> files (pure); check:
the tools; cli: `throughgate box render|check`."""
