"""All database models, imported here so Alembic's env.py sees the whole schema."""

from learnhub.models.audit import AuditEvent
from learnhub.models.courses import Course, CourseItem, CourseModule, LessonBody, QuizQuestion
from learnhub.models.progress import Attempt, Certificate, Enrolment, ItemProgress
from learnhub.models.users import AnalystCountry, PasswordResetToken, User

__all__ = [
    "AnalystCountry",
    "Attempt",
    "AuditEvent",
    "Certificate",
    "Course",
    "CourseItem",
    "CourseModule",
    "Enrolment",
    "ItemProgress",
    "LessonBody",
    "PasswordResetToken",
    "QuizQuestion",
    "User",
]
