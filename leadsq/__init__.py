"""leadsq: LeadSquared CRM analytics in pandas and Jupyter."""

__version__ = "0.1.0"
