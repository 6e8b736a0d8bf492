"""Identities, keys, certificates and enrolment of edges and tablets.

For now each part makes its own keys where they live (`throughgate hub init`, `throughgate edge
init`, using wire.keys) and an administrator registers an edge's public key at the hub by hand
(`throughgate hub edges add`); tablets have broker passwords (`throughgate edge devices add`).
The trust issue moves enrolment here: the hub as root of trust, per-edge identities, per-tablet
client certificates, bootstrap tokens and revocation.
"""
