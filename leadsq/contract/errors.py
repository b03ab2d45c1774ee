"""Input errors: the service's ``ExceptionType`` names and :class:`ContractError`."""

from __future__ import annotations

__all__ = [
    "EXCEPTION_TYPES",
    "INPUT_ERROR_TYPES",
    "INTERNAL_SERVER",
    "INVALID_DATA_TYPE",
    "INVALID_INPUT",
    "MANDATORY_ATTRIBUTE_MISSING",
    "RATE_LIMIT_EXCEEDED",
    "UNAUTHORIZED",
    "UNKNOWN_ACTIVITY",
    "UNKNOWN_ATTRIBUTE",
    "ContractError",
]

INVALID_INPUT = "MXInvalidInputException"
INVALID_DATA_TYPE = "MXInvalidDataTypeException"
UNKNOWN_ATTRIBUTE = "MXUnknownAttributeException"
MANDATORY_ATTRIBUTE_MISSING = "MXMandatoryAttributeMissingException"
UNKNOWN_ACTIVITY = "MXUnknownProspectActivityException"
RATE_LIMIT_EXCEEDED = "MXAPIRateLimitExceededException"
INTERNAL_SERVER = "MXInternalServerException"
UNAUTHORIZED = "MXUnAuthorizedAccessException"
INPUT_ERROR_TYPES = (
    INVALID_INPUT,
    INVALID_DATA_TYPE,
    UNKNOWN_ATTRIBUTE,
    MANDATORY_ATTRIBUTE_MISSING,
    UNKNOWN_ACTIVITY,
)
"""``ExceptionType`` values of an input error: the caller's mistake, never retried."""

EXCEPTION_TYPES: dict[int, str] = {
    400: INVALID_INPUT,
    401: UNAUTHORIZED,
    404: "MXNotFoundException",
    405: "MXMethodNotAllowedException",
    413: INVALID_INPUT,
    429: RATE_LIMIT_EXCEEDED,
    500: INTERNAL_SERVER,
}


class ContractError(ValueError):
    """A request body that breaks the contract.

    Parameters
    ----------
    path : str
        Where in the body the problem is, e.g. ``"ReportFilter.LeadFilters[0].SqlOperator"``;
        empty for the body as a whole.
    problem : str
        What is wrong, phrased to follow the path.
    exception_type : str
        The real service's ``ExceptionType`` for this kind of input error (section 5).
    structural : bool
        True when the body is not JSON or not of the documented structure: the service
        answers those 400 [doc]; other input errors it answers 500 [seen].
    """

    def __init__(
        self,
        path: str,
        problem: str,
        *,
        exception_type: str = INVALID_INPUT,
        structural: bool = False,
    ) -> None:
        self.path = path
        self.problem = problem
        self.exception_type = exception_type
        self.structural = structural
        self.message = f"{path} {problem}" if path else problem
        super().__init__(self.message)
