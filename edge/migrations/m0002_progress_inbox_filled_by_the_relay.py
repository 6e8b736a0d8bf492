"""course_progress_inbox is filled by the relay's observer (edge.courses.progress.Inbox): its trigger is dropped."""


def up(db):
    # The trigger copied each progress_statement inserted into `received`; the relay's observer now writes the
    # same row inside the relay's transaction, so both would copy it. Rows already in the inbox stay for absorb().
    db.execute("DROP TRIGGER IF EXISTS course_progress_inbox_fill")
