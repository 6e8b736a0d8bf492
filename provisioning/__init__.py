"""Identities, keys, certificates and enrolment of edges and tablets: the chain of trust.

- pki:    X.509 rules (ECDSA P-256 keys, CSRs, roots, cross-certificates, client and server
          certificates, CRLs, checking) as pure functions over `cryptography` objects.
- tokens: one-time secrets that start trust (hub bootstrap tokens, tablet enrolment codes, the
          QR enrolment offer).
- qr:     QR codes for enrolment offers (segno).
- files:  atomic writes; private files 0600 from the moment they exist.
- signatures: phones' signed requests (HTTP Message Signatures, RFC 9421, over an RFC 9530
          Content-Digest) and their keys (Ed25519 or P-256, named by JWK thumbprint).
- https:  the HTTPS server with optional client certificates that the hub and the edge's tablet
          API run on (handshakes in request threads, certificate reload).

The hub holds the root; each edge runs its own tablet CA that the hub pins and cross-certifies.
docs/security.md explains the choices.
"""
