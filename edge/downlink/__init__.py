"""Down messages: what the edge sends a tablet on its own (a tutor's feedback, a badge earned, and what later
parts add), kept until the tablet says it has them.

    tables      down_message: one row per message and tablet, with when it was sent and acknowledged
    messages    adding one (inside the transaction that makes what it announces), the tablet's
                acknowledgement (the relay, inside its transaction), what is due, what the console shows
    publisher   the edge service's publisher: QoS 1 to the tablet's down topic, again until acknowledged

A message counts as delivered only when the tablet acknowledges it by its id, which it does after committing
it (wire.topics.down_ack_message), never when the broker has it. This package's __init__ imports nothing.
"""
