"""Models of store operations (SPEC §12, 004), one module per area."""

from .dispatch import Dispatch  # noqa: F401
from .people import (  # noqa: F401
    Attendance,
    DesignerLevel,
    DesignerMonth,
    DesignerProfile,
    DesignStyle,
    ManagerAway,
    Occupation,
    Outing,
)
from .review import MonthlyReview  # noqa: F401
from .visitors import (  # noqa: F401
    FocusPoint,
    Gender,
    PreRegistration,
    Visit,
    WeeklyReconciliation,
)
