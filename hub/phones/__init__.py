"""The person's phones: each a key made on the phone (Ed25519 or P-256), registered with a one-time
activation code; every later request is signed with it (HTTP Message Signatures, RFC 9421,
provisioning/signatures.py) and refused once the phone is revoked.

- models:  phone, phone_nonce
- service: activation, revocation, the signed-request check (`phone_required`)
- api:     POST /v1/phone/activate
"""
