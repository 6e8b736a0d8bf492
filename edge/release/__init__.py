"""Release at the prison (issue 11): a manager marks a learner released at the edge console, which makes their
one-time activation code, prints the release letter from it (provisioning/letter.py), keeps only the code's
SHA-256, and sends the hub a `release` record (wire/release.py) in its next sealed batch."""
