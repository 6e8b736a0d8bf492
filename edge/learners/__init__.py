"""Learners' names at the edge: typed by staff or imported from a CSV export of the prison's records, so the
console shows "Name (L-0042)" to the learner's tutors and the manager. Personal data: kept only here (the hub
and the tablets get pseudonymous ids only), never shown to IT staff, never logged."""
