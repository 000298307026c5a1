"""Stakeholder Graph: people, companies and the ties between them, for key-account selling."""
