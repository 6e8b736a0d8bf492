"""The console's tables, in the edge's own SQLite store (edge.store.db), all named console_*.

Learning records are kept here as the relay commits them (edge.console.learning), because the edge
store drops a record's plain body once it is sealed for the hub: tutors mark at the edge.
"""

from __future__ import annotations

import peewee as pw

from edge import store


class ConsoleModel(store.BaseModel):
    class Meta:
        legacy_table_names = False


class Staff(ConsoleModel):
    username = pw.CharField(primary_key=True, max_length=32)
    password_hash = pw.CharField(max_length=200)  # argon2id, PHC string
    role = pw.CharField(max_length=10)  # tutor | manager | it
    created = pw.CharField(max_length=30)

    class Meta:
        table_name = "console_staff"


class SchoolClass(ConsoleModel):
    name = pw.CharField(primary_key=True, max_length=40)
    created = pw.CharField(max_length=30)

    class Meta:
        table_name = "console_class"


class ClassLearner(ConsoleModel):
    klass = pw.CharField(max_length=40, index=True)
    learner = pw.CharField(max_length=64, index=True)

    class Meta:
        table_name = "console_class_learner"
        indexes = ((("klass", "learner"), True),)


class ClassTutor(ConsoleModel):
    klass = pw.CharField(max_length=40, index=True)
    username = pw.CharField(max_length=32, index=True)

    class Meta:
        table_name = "console_class_tutor"
        indexes = ((("klass", "username"), True),)


class LoginFailure(ConsoleModel):
    """One failed login, counted against its address and its account name."""

    key = pw.CharField(max_length=100, index=True)  # "address:<ip>" or "account:<username>"
    at = pw.FloatField()  # epoch seconds

    class Meta:
        table_name = "console_login_failure"


class LearningRecord(ConsoleModel):
    """A learner's record (submission, progress statement, quiz answer) as the tablet sent it, and
    what a statement says about progress (edge.console.progress.read), so pages aggregate in SQL."""

    id = pw.CharField(primary_key=True, max_length=36)
    kind = pw.CharField(max_length=40)
    device = pw.CharField(max_length=63)
    learner = pw.CharField(max_length=64)
    created = pw.CharField(max_length=40)
    received = pw.CharField(max_length=30)
    body = pw.TextField()
    activity = pw.CharField(max_length=300, default="")  # statements only: the activity id
    course = pw.CharField(max_length=63, default="")
    verb = pw.CharField(max_length=40, default="")
    score = pw.FloatField(null=True)  # scaled, 0..1
    done = pw.BooleanField(default=False)  # the statement completes its activity
    correct = pw.BooleanField(null=True)  # a quiz answer's result.success

    class Meta:
        table_name = "console_learning_record"
        indexes = ((("kind", "learner", "received"), False), (("course", "learner"), False),
                   (("learner", "received"), False))


class Mark(ConsoleModel):
    """A tutor's mark of one submission; `record` is the id of the feedback record sent to the hub."""

    submission = pw.CharField(primary_key=True, max_length=36)
    grade = pw.CharField(max_length=20)
    feedback = pw.TextField()
    marker = pw.CharField(max_length=32)
    marked = pw.CharField(max_length=30)
    record = pw.CharField(max_length=36)

    class Meta:
        table_name = "console_mark"


class RewardRule(ConsoleModel):
    badge = pw.CharField(max_length=60)
    measure = pw.CharField(max_length=10)  # units | score
    threshold = pw.FloatField()  # units completed, or average score in percent
    course = pw.CharField(max_length=63, default="")  # "" = any course
    created = pw.CharField(max_length=30)
    created_by = pw.CharField(max_length=32)

    class Meta:
        table_name = "console_reward_rule"


class Award(ConsoleModel):
    id = pw.CharField(primary_key=True, max_length=36)  # the award record's id
    rule = pw.IntegerField()
    badge = pw.CharField(max_length=60)
    learner = pw.CharField(max_length=64, index=True)
    awarded = pw.CharField(max_length=30)

    class Meta:
        table_name = "console_award"
        indexes = ((("rule", "learner"), True),)


MODELS = (Staff, SchoolClass, ClassLearner, ClassTutor, LoginFailure, LearningRecord, Mark, RewardRule, Award)

