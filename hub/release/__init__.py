"""Release and activation (issue 11): what a person takes out of prison to start Throughgate on
their own phone.

- `letter`: the printable release letter (an A4 page in HTML and a PDF, in English and Welsh)
  carrying the one-time activation code and its QR code. Pure functions, no Flask, no database.
"""
