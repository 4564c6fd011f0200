"""connect-share-learn: builds an evaluation toolkit for inter-agency safeguarding training."""

__version__ = "0.1.0"
