"""Brands and their sender email addresses (Intercom: Settings > Brands / Email); read-only in the API."""
