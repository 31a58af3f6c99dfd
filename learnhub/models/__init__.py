"""All database models, imported here so Alembic's env.py sees the whole schema."""

from learnhub.models.audit import AuditEvent
from learnhub.models.cohorts import Assignment, Cohort, CohortImport, CohortMember, Notice
from learnhub.models.courses import Course, CourseItem, CourseModule, LessonBody, QuizQuestion
from learnhub.models.exports import ExportFile
from learnhub.models.jobs import FailedJob, OutboundMail
from learnhub.models.progress import Attempt, Certificate, Enrolment, ItemProgress, LearnerActivity
from learnhub.models.regrades import QuizRegrade
from learnhub.models.reports import ApiToken, CoverageCount, Target
from learnhub.models.throttle import ThrottleEvent
from learnhub.models.users import AnalystCountry, PasswordResetToken, User
from learnhub.models.workspaces import CourseWorkspace, WorkspaceFileVersion, WorkspaceMember

__all__ = [
    "AnalystCountry",
    "ApiToken",
    "Assignment",
    "Attempt",
    "AuditEvent",
    "Certificate",
    "Cohort",
    "CohortImport",
    "CohortMember",
    "Course",
    "CourseItem",
    "CourseModule",
    "CourseWorkspace",
    "CoverageCount",
    "Enrolment",
    "ExportFile",
    "FailedJob",
    "ItemProgress",
    "LearnerActivity",
    "LessonBody",
    "Notice",
    "OutboundMail",
    "PasswordResetToken",
    "QuizQuestion",
    "QuizRegrade",
    "Target",
    "ThrottleEvent",
    "User",
    "WorkspaceFileVersion",
    "WorkspaceMember",
]
