"""Bulk import of records from CSV and JSON Lines, and employment snapshots."""
