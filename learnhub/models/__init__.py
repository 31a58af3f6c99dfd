"""All database models, imported here so Alembic's env.py sees the whole schema."""

from learnhub.models.audit import AuditEvent
from learnhub.models.badges import BadgeKey
from learnhub.models.campaigns import Campaign, CampaignCohort
from learnhub.models.cohorts import Assignment, Cohort, CohortImport, CohortMember, Notice
from learnhub.models.courses import CatalogueState, Course, CourseItem, CourseModule, LessonBody, QuizQuestion
from learnhub.models.exports import ExportFile
from learnhub.models.factors import Passkey, RecoveryCode, RememberedDevice, SsoIdentity, TotpFactor
from learnhub.models.jobs import FailedJob, OutboundMail
from learnhub.models.organisations import Organisation
from learnhub.models.progress import Attempt, Certificate, Enrolment, ItemProgress, LearnerActivity
from learnhub.models.regrades import QuizRegrade
from learnhub.models.reports import ApiToken, CoverageCount, Target
from learnhub.models.site_pages import SitePage
from learnhub.models.throttle import ThrottleEvent
from learnhub.models.users import AnalystCountry, PasswordResetToken, User, UserSearchWord
from learnhub.models.workspaces import (
    CourseWorkspace,
    WorkspaceFileVersion,
    WorkspaceMember,
    WorkspacePublication,
    WorkspacePublishedFile,
    WorkspaceStep,
)

__all__ = [
    "AnalystCountry",
    "ApiToken",
    "Assignment",
    "Attempt",
    "AuditEvent",
    "BadgeKey",
    "Campaign",
    "CampaignCohort",
    "CatalogueState",
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
    "Organisation",
    "OutboundMail",
    "Passkey",
    "PasswordResetToken",
    "QuizQuestion",
    "QuizRegrade",
    "RecoveryCode",
    "RememberedDevice",
    "SitePage",
    "SsoIdentity",
    "Target",
    "ThrottleEvent",
    "TotpFactor",
    "User",
    "UserSearchWord",
    "WorkspaceFileVersion",
    "WorkspaceMember",
    "WorkspacePublication",
    "WorkspacePublishedFile",
    "WorkspaceStep",
]
