"""Models of customer service (SPEC §11), one module per area; each area imports its models
here in its own line."""

from .competitors import Competitor, CompetitorLink  # noqa: F401
from .complaints import Complaint, ComplaintCategory, ComplaintEvent  # noqa: F401
from .revisits import ProjectStageEvent, RevisitPlan  # noqa: F401
from .surveys import (  # noqa: F401,E501
    Survey,
    SurveyAnswer,
    SurveyCampaign,
    SurveyQuestion,
    SurveyResponse,
    SurveyTarget,
)
from .yearly import YearlyEvaluation, YearlyEvaluationNotice  # noqa: F401
